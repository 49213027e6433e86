using System.Collections.Concurrent;
using Media.Pipelines.Patterns;
using Media.Platform.Storage;
using Media.Protos.V1;
using Media.Workers.Handlers;

namespace Media.Workers;

/// <summary>What a handler gets for one stage run: the dispatch, a scratch folder, storage and a progress sink.</summary>
public sealed class StageContext(StageDispatch dispatch, string workDirectory, IBlobStore blobs, Action<double, double, double> reportProgress)
{
    private readonly Lazy<Pattern> _pattern = new(() => PatternResolver.Parse(dispatch));

    public StageDispatch Dispatch { get; } = dispatch;

    /// <summary>The job's pattern, read from the dispatch once per stage (it was validated when the job was submitted).</summary>
    public Pattern Pattern => _pattern.Value;

    public string WorkDirectory { get; } = workDirectory;

    public IBlobStore Blobs { get; } = blobs;

    /// <summary>Store files handed to tools by their own path (folder storage), with their keys: errors name the key.</summary>
    public IReadOnlyDictionary<string, string> KeysByLocalPath => _keysByLocalPath;

    private readonly ConcurrentDictionary<string, string> _keysByLocalPath = new(StringComparer.Ordinal);

    /// <summary>Fraction 0..1, speed (x real time), frames per second.</summary>
    public void ReportProgress(double fraction, double speed = 0, double fps = 0) =>
        reportProgress(Math.Clamp(fraction, 0, 1), speed, fps);

    /// <summary>
    /// A local path for an object: the store's own file when it is a folder, otherwise a streamed download
    /// into the scratch folder (never the whole object in memory).
    /// </summary>
    public async Task<string> GetLocalPathAsync(string key, CancellationToken cancellationToken)
    {
        if (Blobs.TryGetLocalPath(key) is { } local)
        {
            _keysByLocalPath[local] = key;
            return local;
        }

        var target = Path.Combine(WorkDirectory, "in-" + BlobKey.SafeSegment(Path.GetFileName(key)));
        await using var source = await Blobs.OpenReadAsync(key, cancellationToken);
        await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await source.CopyToAsync(file, 1 << 16, cancellationToken);
        return target;
    }

    /// <summary>This run's own folder under the job's outputs (see <see cref="RunKeys"/>): no other run writes there.</summary>
    public string Run { get; } = RunKeys.NewRun(dispatch.Attempt);

    /// <summary>
    /// Stores a finished file as one of the job's outputs, in this run's own folder, and describes it (name, kind, key,
    /// type, size, SHA-256); the caller adds what it knows besides.
    /// </summary>
    public async Task<Output> UploadOutputAsync(string localPath, string name, OutputKind kind, string contentType, CancellationToken cancellationToken)
    {
        var key = RunKeys.OutputKey(Dispatch.OutputPrefix, Run, name);
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var stored = await Blobs.PutAsync(key, file, contentType, cancellationToken);
        return new Output { Name = name, Kind = kind, Key = stored.Key, ContentType = stored.ContentType, SizeBytes = stored.SizeBytes, Sha256 = stored.Sha256 };
    }
}
