using System.Security.Cryptography;
using Media.Platform.Storage;

namespace Media.IntegrationTests.Storage;

/// <summary>One behaviour suite for every blob store; run against the folder store and S3 (s3rver).</summary>
public abstract class BlobStoreConformance
{
    protected abstract IBlobStore Store { get; }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task List_NamesEveryObjectUnderTheFolder_NothingBeside()
    {
        foreach (var key in (string[])["l/job1/outputs/runs/a1-x/a.mp4", "l/job1/outputs/runs/a2-y/a.mp4", "l/job1/outputs/parts/p1.json", "l/job10/outputs/runs/a1-z/b.mp4"])
        {
            await Store.PutAsync(key, new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None);
        }

        Assert.Equal(["l/job1/outputs/runs/a1-x/a.mp4", "l/job1/outputs/runs/a2-y/a.mp4"], (await Store.ListAsync("l/job1/outputs/runs", CancellationToken.None)).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await Store.ListAsync("l/job1", CancellationToken.None)).Count);
        Assert.Empty(await Store.ListAsync("l/never", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteFolder_RemovesEverythingUnderIt_NothingBeside_AndTwiceIsHarmless()
    {
        foreach (var key in (string[])["r/job1/outputs/a.mp4", "r/job1/outputs/parts/p1.json", "r/job1/revisions/x.plan.json", "r/job10/outputs/b.mp4", "r/job2/c.mp4"])
        {
            await Store.PutAsync(key, new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None);
        }

        Assert.Equal(3, await Store.DeleteFolderAsync("r/job1", CancellationToken.None));

        Assert.Null(await Store.GetInfoAsync("r/job1/outputs/a.mp4", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("r/job1/outputs/parts/p1.json", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("r/job1/revisions/x.plan.json", CancellationToken.None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync("r/job1/outputs/a.mp4", CancellationToken.None));
        // "r/job10" starts with the same letters but is not inside the folder.
        Assert.NotNull(await Store.GetInfoAsync("r/job10/outputs/b.mp4", CancellationToken.None));
        Assert.NotNull(await Store.GetInfoAsync("r/job2/c.mp4", CancellationToken.None));
        Assert.Equal(0, await Store.DeleteFolderAsync("r/job1", CancellationToken.None));
        Assert.Equal(0, await Store.DeleteFolderAsync("r/never", CancellationToken.None));
        Assert.Throws<ArgumentException>(() => Store.DeleteFolderAsync("../r", CancellationToken.None).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Put_SmallObject_KeepsBytesTypeAndSha256()
    {
        var bytes = Bytes(1000, 1);

        var info = await Store.PutAsync("a/small.bin", new MemoryStream(bytes), "application/x-test", CancellationToken.None);

        Assert.Equal((1000L, "application/x-test", Convert.ToHexStringLower(SHA256.HashData(bytes))), (info.SizeBytes, info.ContentType, info.Sha256));
        Assert.Equal(info.Sha256, (await Store.GetInfoAsync("a/small.bin", CancellationToken.None))?.Sha256);
        await using var read = await Store.OpenReadAsync("a/small.bin", CancellationToken.None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Put_LargeObjectFromNonSeekableStream_StreamsAndHashes()
    {
        var bytes = Bytes((12 * 1024 * 1024) + 123, 2);

        var info = await Store.PutAsync("big/object.bin", new ForwardOnlyStream(bytes), "video/mp4", CancellationToken.None);

        Assert.Equal(bytes.LongLength, info.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Sha256);
        await using var read = await Store.OpenReadAsync("big/object.bin", CancellationToken.None);
        Assert.Equal(info.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(read)));
    }

    [Fact]
    public async Task Put_SameKeyTwice_Overwrites_AndDeleteRemoves()
    {
        await Store.PutAsync("o/key.bin", new MemoryStream(Bytes(10, 3)), "a/b", CancellationToken.None);
        var second = await Store.PutAsync("o/key.bin", new MemoryStream(Bytes(20, 4)), "c/d", CancellationToken.None);

        Assert.Equal(second.Sha256, (await Store.GetInfoAsync("o/key.bin", CancellationToken.None))?.Sha256);
        Assert.True(await Store.DeleteAsync("o/key.bin", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("o/key.bin", CancellationToken.None));
        Assert.False(await Store.DeleteAsync("o/key.bin", CancellationToken.None));
    }

    [Fact]
    public async Task Missing_And_TraversalKeys_AreRefused()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync("nope/missing.bin", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("nope/missing.bin", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("../escape", new MemoryStream([1]), "a/b", CancellationToken.None));
    }

    /// <summary>Like a network stream: no length, no seeking.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
