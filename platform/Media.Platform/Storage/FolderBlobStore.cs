using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Media.Platform.Storage;

/// <summary>
/// The embedded blob store: objects are files under Root/data, metadata (content type, SHA-256) JSON files
/// under Root/meta. Writes go to a temporary file and are moved into place, so a reader never sees half
/// an object and a re-run overwrites instead of duplicating.
/// </summary>
public sealed class FolderBlobStore : IBlobStore
{
    private readonly string _dataRoot;
    private readonly string _metaRoot;
    private readonly string _tempRoot;
    private readonly TimeProvider _time;

    public FolderBlobStore(IOptions<FolderBlobStoreOptions> options, TimeProvider time)
    {
        var root = Path.GetFullPath(options.Value.Root);
        _dataRoot = Path.Combine(root, "data");
        _metaRoot = Path.Combine(root, "meta");
        _tempRoot = Path.Combine(root, "tmp");
        _time = time;
        Directory.CreateDirectory(_dataRoot);
        Directory.CreateDirectory(_metaRoot);
        Directory.CreateDirectory(_tempRoot);

        // Half-written objects of a process that died mid-upload; never visible, only taking space.
        foreach (var stale in Directory.EnumerateFiles(_tempRoot))
        {
            File.Delete(stale);
        }
    }

    public async Task<BlobInfo> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var dataPath = DataPath(key);
        var temp = Path.Combine(_tempRoot, Guid.NewGuid().ToString("N"));
        long size;
        string sha;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                size = file.Length;
            }

            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            Directory.CreateDirectory(Path.GetDirectoryName(dataPath)!);
            File.Move(temp, dataPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        var info = new BlobInfo(key, size, contentType, sha, _time.GetUtcNow());
        await WriteMetaAsync(info, cancellationToken);
        return info;
    }

    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken)
    {
        var metaPath = MetaPath(key);
        if (!File.Exists(metaPath) || !File.Exists(DataPath(key)))
        {
            return null;
        }

        await using var stream = File.OpenRead(metaPath);
        return await JsonSerializer.DeserializeAsync<BlobInfo>(stream, cancellationToken: cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = DataPath(key);
        if (!File.Exists(path))
        {
            throw new BlobNotFoundException(key);
        }

        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Task.FromResult(stream);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = DataPath(key);
        var existed = File.Exists(path);
        // File.Delete throws when the folder is missing (a key never written, e.g. an upload refused mid-stream).
        var meta = MetaPath(key);
        if (File.Exists(meta))
        {
            File.Delete(meta);
        }

        if (existed)
        {
            File.Delete(path);
        }

        return Task.FromResult(existed);
    }

    public Task<int> DeleteFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var data = DataPath(folder);
        var count = 0;
        if (Directory.Exists(data))
        {
            count = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Count();
            Directory.Delete(data, recursive: true);
        }

        var meta = Path.Combine(_metaRoot, BlobKey.Validate(folder));
        if (Directory.Exists(meta))
        {
            Directory.Delete(meta, recursive: true);
        }

        return Task.FromResult(count);
    }

    public Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken)
    {
        var data = DataPath(folder);
        IReadOnlyList<string> keys = Directory.Exists(data)
            ? [.. Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dataRoot, f).Replace(Path.DirectorySeparatorChar, '/'))]
            : [];
        return Task.FromResult(keys);
    }

    public string? TryGetDownloadUrl(string key, TimeSpan? validFor = null) => null;

    public string? TryGetLocalPath(string key)
    {
        var path = DataPath(key);
        return File.Exists(path) ? path : null;
    }

    private async Task WriteMetaAsync(BlobInfo info, CancellationToken cancellationToken)
    {
        var metaPath = MetaPath(info.Key);
        var temp = Path.Combine(_tempRoot, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(stream, info, cancellationToken: cancellationToken);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(metaPath)!);
            File.Move(temp, metaPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string DataPath(string key) => Path.Combine(_dataRoot, BlobKey.Validate(key));

    private string MetaPath(string key) => Path.Combine(_metaRoot, BlobKey.Validate(key) + ".json");
}
