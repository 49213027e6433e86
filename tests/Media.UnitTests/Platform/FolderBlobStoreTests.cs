using System.Security.Cryptography;
using System.Text;
using Media.Platform.Storage;
using Microsoft.Extensions.Options;

namespace Media.UnitTests.Platform;

public sealed class FolderBlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "blobtest-" + Guid.NewGuid().ToString("N"));
    private readonly FolderBlobStore _store;

    public FolderBlobStoreTests()
    {
        _store = new FolderBlobStore(Options.Create(new FolderBlobStoreOptions { Root = _root }), TimeProvider.System);
    }

    [Fact]
    public async Task PutAsync_Content_KeepsTypeAndSha256()
    {
        var bytes = Encoding.UTF8.GetBytes("hello farm");

        var info = await _store.PutAsync("a/b.txt", new MemoryStream(bytes), "text/plain", CancellationToken.None);
        var read = await _store.GetInfoAsync("a/b.txt", CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Sha256);
        Assert.Equal(info with { LastModified = read!.LastModified }, read);
        Assert.Equal("text/plain", read.ContentType);
        await using var stream = await _store.OpenReadAsync("a/b.txt", CancellationToken.None);
        using var reader = new StreamReader(stream);
        Assert.Equal("hello farm", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task PutAsync_SameKeyTwice_Overwrites()
    {
        await _store.PutAsync("k", new MemoryStream([1, 2, 3]), "a/b", CancellationToken.None);
        var second = await _store.PutAsync("k", new MemoryStream([4]), "c/d", CancellationToken.None);

        var info = await _store.GetInfoAsync("k", CancellationToken.None);
        Assert.Equal(1, info!.SizeBytes);
        Assert.Equal(second.Sha256, info.Sha256);
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "data")));
    }

    [Fact]
    public async Task OpenReadAsync_Missing_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync("nope", CancellationToken.None));
        Assert.Null(await _store.GetInfoAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task PutAsync_TraversalKey_IsRefusedAndWritesNothingOutside()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync("../escape", new MemoryStream([1]), "x/y", CancellationToken.None));

        Assert.False(File.Exists(Path.Combine(_root, "escape")));
    }

    [Fact]
    public async Task PutAsync_FailingSource_LeavesNoObject()
    {
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("broken", new FailingStream(), "x/y", CancellationToken.None));

        Assert.Null(await _store.GetInfoAsync("broken", CancellationToken.None));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "tmp")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("connection reset");
    }
}
