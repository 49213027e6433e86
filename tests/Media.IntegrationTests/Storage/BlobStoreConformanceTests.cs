using System.Net.Http;
using Media.Platform.Storage;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests.Storage;

public sealed class FolderBlobStoreConformanceTests : BlobStoreConformance, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "media-folder-" + Guid.NewGuid().ToString("N"));
    private readonly FolderBlobStore _store;

    public FolderBlobStoreConformanceTests() => _store = new FolderBlobStore(Options.Create(new FolderBlobStoreOptions { Root = _root }), TimeProvider.System);

    protected override IBlobStore Store => _store;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

[Collection(S3Collection.Name)]
public sealed class S3BlobStoreConformanceTests : BlobStoreConformance, IDisposable
{
    private readonly S3BlobStore _store;
    private readonly string _prefix = $"run-{Guid.NewGuid():N}/";
    private readonly S3Server _server;

    public S3BlobStoreConformanceTests(S3Server server)
    {
        _server = server;
        _store = Create(server, _prefix);
    }

    protected override IBlobStore Store => _store;

    private static S3BlobStore Create(S3Server server, string prefix, string publicUrl = "") => new(
        Options.Create(new S3BlobStoreOptions
        {
            Bucket = S3Server.Bucket,
            Prefix = prefix,
            ServiceUrl = server.ServiceUrl,
            PublicServiceUrl = publicUrl,
            ForcePathStyle = true,
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
            PartSizeBytes = 5 * 1024 * 1024,
        }),
        TimeProvider.System);

    [Fact]
    public async Task PresignedUrl_DownloadsTheObjectWithoutCredentials()
    {
        await _store.PutAsync("p/clip.bin", new MemoryStream([1, 2, 3, 4]), "application/octet-stream", CancellationToken.None);

        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(new Uri(_store.GetDownloadUrl("p/clip.bin", TimeSpan.FromMinutes(5))));

        Assert.Equal([1, 2, 3, 4], bytes);
    }

    [Fact]
    public async Task PresignedUrl_NamesThePublicEndpoint_WhenOneIsConfigured()
    {
        // The farm talks to 127.0.0.1; browsers are told "localhost" (an in-cluster name and a public one, in small).
        var publicUrl = _server.ServiceUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        using var store = Create(_server, _prefix, publicUrl);
        await store.PutAsync("p/public.bin", new MemoryStream([5, 6, 7]), "application/octet-stream", CancellationToken.None);

        var url = store.GetDownloadUrl("p/public.bin", TimeSpan.FromMinutes(5));
        var part = Assert.Single(store.PresignUploadParts("p/other.bin", "upload-1", 1, TimeSpan.FromMinutes(5)));
        using var http = new HttpClient();

        Assert.StartsWith(publicUrl + "/", url, StringComparison.Ordinal);
        Assert.StartsWith(publicUrl + "/", part, StringComparison.Ordinal);
        Assert.StartsWith(_server.ServiceUrl + "/", _store.GetDownloadUrl("p/public.bin", TimeSpan.FromMinutes(5)), StringComparison.Ordinal);
        Assert.Equal([5, 6, 7], await http.GetByteArrayAsync(new Uri(url)));
    }

    [Fact]
    public async Task Prefix_SeparatesStoresSharingABucket()
    {
        using var other = Create(_server, $"other-{Guid.NewGuid():N}/");
        await _store.PutAsync("shared/name.bin", new MemoryStream([9]), "a/b", CancellationToken.None);

        Assert.Null(await other.GetInfoAsync("shared/name.bin", CancellationToken.None));
        Assert.NotNull(await _store.GetInfoAsync("shared/name.bin", CancellationToken.None));
    }

    public void Dispose() => _store.Dispose();
}
