namespace Media.Platform.Storage;

/// <summary>Object storage for sources and results. Content type and SHA-256 are kept with each object.</summary>
public interface IBlobStore
{
    /// <summary>Stores the stream under <paramref name="key"/>, replacing what was there; hashes while it streams.</summary>
    Task<BlobInfo> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens the object for streaming reads. Throws <see cref="BlobNotFoundException"/>.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every object under <paramref name="folder"/> (keys starting with "folder/"); returns how many there were.
    /// Idempotent: a folder already gone deletes nothing.
    /// </summary>
    Task<int> DeleteFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>The keys of every object under <paramref name="folder"/> (keys starting with "folder/"), in no set order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken);

    /// <summary>
    /// A path ffmpeg can read directly when the store is a local folder; null when the object must be
    /// downloaded (S3). Saves a full copy of every source on the embedded farm.
    /// </summary>
    string? TryGetLocalPath(string key);

    /// <summary>A time-limited direct download URL, or null where the store cannot presign (local folder).</summary>
    string? TryGetDownloadUrl(string key, TimeSpan? validFor = null);
}
