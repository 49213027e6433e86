namespace Media.Platform.Storage;

public static class BlobStoreExtensions
{
    /// <summary>The whole object in memory: for small documents and images only (analysis, logos), never media.</summary>
    public static async Task<byte[]> ReadAllBytesAsync(this IBlobStore store, string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
