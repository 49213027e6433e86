using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client.Configuration;
using Grpc.Net.Client;
using Media.Protos.V1;

namespace Media.Client;

/// <summary>
/// The Media Farm client: uploads (direct to storage when the farm offers it, parts retried on their own, else
/// streamed with a checksum), <see cref="SubmitAndWaitAsync"/>, <see cref="WatchAsync"/> resuming after
/// disconnects, SHA-256-verified downloads. Calls are retried on Unavailable only (the server never saw them or is
/// restarting); every other status is the answer.
/// </summary>
public sealed class FarmClient : IDisposable
{
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>Files at least this big go straight to storage when the farm offers it (S3).</summary>
    public const long DirectUploadThresholdBytes = 64L * 1024 * 1024;

    public const string ApiKeyVariable = "MEDIA_API_KEY";

    private const int PartAttempts = 4;

    /// <summary>Streamed uploads at least this big are resumable (when there is a <see cref="ResumeDirectory"/>).</summary>
    public const long ResumableStreamBytes = 8L * 1024 * 1024;

    // The part size a streamed upload's journal is filed under (direct uploads use theirs, at least 5 MiB, or 0).
    private const long StreamedJournal = -1;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> JournalsInUse = new(StringComparer.Ordinal);
    private const int MaxWatchFailures = 60;

    private readonly GrpcChannel _channel;

    /// <param name="apiKey">Sent as "authorization: Bearer …" on every call; null takes $MEDIA_API_KEY (none when unset).</param>
    public FarmClient(string address, string? apiKey = null)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            ServiceConfig = new ServiceConfig
            {
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { MethodName.Default },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = 5,
                            InitialBackoff = TimeSpan.FromMilliseconds(200),
                            MaxBackoff = TimeSpan.FromSeconds(5),
                            BackoffMultiplier = 2,
                            RetryableStatusCodes = { StatusCode.Unavailable },
                        },
                    },
                },
            },
        });
        var key = ApiKey = apiKey ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        // Metadata, not call credentials: those are refused on the plain-h2c channels a farm usually listens on.
        var invoker = key is { Length: > 0 }
            ? _channel.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + key);
                return metadata;
            })
            : _channel.CreateCallInvoker();
        Jobs = new Jobs.JobsClient(invoker);
        Uploads = new Uploads.UploadsClient(invoker);
        Patterns = new Patterns.PatternsClient(invoker);
        Engagement = new Engagement.EngagementClient(invoker);
        Admin = new Admin.AdminClient(invoker);
        Farm = new Farm.FarmClient(invoker);
    }

    public string Address { get; }

    /// <summary>The key sent with every call (null: none).</summary>
    public string? ApiKey { get; }

    public Jobs.JobsClient Jobs { get; }

    public Uploads.UploadsClient Uploads { get; }

    public Patterns.PatternsClient Patterns { get; }

    public Engagement.EngagementClient Engagement { get; }

    public Admin.AdminClient Admin { get; }

    /// <summary>Queue depth and workers (operators: an admin key, or none on a farm without keys).</summary>
    public Farm.FarmClient Farm { get; }

    /// <summary>Uploads a file: straight to storage in parts when it is big and the farm allows it, else streamed through the API.</summary>
    public async Task<UploadResponse> UploadFileAsync(string path, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length >= DirectUploadThresholdBytes)
        {
            try
            {
                return await UploadDirectAsync(path, progress, 0, cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                // Folder storage: no direct path; stream it.
            }
        }

        return await UploadStreamedAsync(path, progress, cancellationToken);
    }

    /// <summary>
    /// Where direct uploads keep their journals so a later run resumes them (default: $XDG_CACHE_HOME or ~/.cache,
    /// under media-farm/uploads); null: no journal, an interrupted upload starts over.
    /// </summary>
    public string? ResumeDirectory { get; init; } = DefaultResumeDirectory();

    /// <summary>
    /// Direct-to-storage upload: CreateUpload plans parts with presigned URLs, each part is PUT to storage
    /// (bytes never pass through the API), CompleteUpload verifies size and SHA-256. With a <see cref="ResumeDirectory"/>
    /// an upload interrupted in an earlier run (or process) of the same file to the same farm goes on from its last stored part.
    /// </summary>
    public async Task<UploadResponse> UploadDirectAsync(string path, Action<long, long>? progress, long partSizeBytes, CancellationToken cancellationToken)
    {
        string sha256;
        long total;
        await using (var hashing = File.OpenRead(path))
        {
            total = hashing.Length;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(hashing, cancellationToken));
        }

        var journalPath = ResumeDirectory is null ? null : UploadJournal.PathFor(ResumeDirectory, Address, ApiKey, sha256, total, partSizeBytes);
        if (journalPath is not null && !JournalsInUse.TryAdd(journalPath, 0))
        {
            // The same file is being uploaded by this process already (a bulk run with two identical files): this
            // copy goes without a journal rather than share that upload's parts.
            journalPath = null;
        }

        try
        {
            return await UploadDirectAsync(path, progress, partSizeBytes, sha256, total, journalPath, cancellationToken);
        }
        finally
        {
            if (journalPath is not null)
            {
                JournalsInUse.TryRemove(journalPath, out _);
            }
        }
    }

    private async Task<UploadResponse> UploadDirectAsync(string path, Action<long, long>? progress, long partSizeBytes, string sha256, long total, string? journalPath, CancellationToken cancellationToken)
    {
        var resumed = journalPath is null ? null : UploadJournal.TryLoad(journalPath, DateTimeOffset.UtcNow);
        if (resumed is not null)
        {
            try
            {
                return await SendPartsAsync(path, resumed, journalPath, total, progress, cancellationToken);
            }
            catch (Exception ex) when (ex is RpcException { StatusCode: StatusCode.NotFound or StatusCode.FailedPrecondition } or HttpRequestException { StatusCode: System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound })
            {
                // The farm or storage no longer knows that upload (expired, abandoned, aborted): start a new one.
                UploadJournal.Delete(journalPath!);
            }
        }

        var plan = await Uploads.CreateUploadAsync(
            new CreateUploadRequest { FileName = Path.GetFileName(path), ContentType = ContentTypes.Guess(path), SizeBytes = total, Sha256 = sha256, PartSizeBytes = partSizeBytes },
            cancellationToken: cancellationToken);
        var journal = UploadJournal.From(plan);
        if (journalPath is not null)
        {
            journal.Save(journalPath);
        }

        return await SendPartsAsync(path, journal, journalPath, total, progress, cancellationToken);
    }

    private async Task<UploadResponse> SendPartsAsync(string path, UploadJournal journal, string? journalPath, long total, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        await using var file = File.OpenRead(path);
        var sent = journal.StoredBytes;
        if (sent > 0)
        {
            progress?.Invoke(sent, total);
        }

        foreach (var part in journal.Parts.Where(p => !journal.Stored.ContainsKey(p.PartNumber)))
        {
            var bytes = new byte[part.SizeBytes];
            file.Position = part.Offset;
            await file.ReadExactlyAsync(bytes, cancellationToken);
            journal.Stored[part.PartNumber] = await PutPartAsync(http, part, bytes, cancellationToken);
            if (journalPath is not null)
            {
                journal.Save(journalPath);
            }

            sent += part.SizeBytes;
            progress?.Invoke(sent, total);
        }

        var completed = new CompleteUploadRequest { UploadId = journal.UploadId };
        completed.Parts.AddRange(journal.Parts.Select(p => new CompletedPart { PartNumber = p.PartNumber, Etag = journal.Stored[p.PartNumber] }));
        var response = await Uploads.CompleteUploadAsync(completed, cancellationToken: cancellationToken);
        if (journalPath is not null)
        {
            UploadJournal.Delete(journalPath);
        }

        return response;
    }

    // A failed part is sent again on its own (the parts already stored stay): a flaky link costs one part, not the file.
    // Storage refusing the request (4xx: an expired or unknown upload) is an answer, not a flaky link.
    private static async Task<string> PutPartAsync(HttpClient http, JournalPart part, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.PutAsync(new Uri(part.Url), new ByteArrayContent(bytes), cancellationToken);
                response.EnsureSuccessStatusCode();
                return response.Headers.ETag?.Tag ?? throw new InvalidOperationException($"Storage answered part {part.PartNumber} without an ETag.");
            }
            catch (HttpRequestException ex) when (ex.StatusCode is null or >= System.Net.HttpStatusCode.InternalServerError && attempt < PartAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    private static string? DefaultResumeDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache") : null;
        return cache is null ? null : Path.Combine(cache, "media-farm", "uploads");
    }

    private async Task<UploadResponse> UploadStreamedAsync(string path, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        var total = new FileInfo(path).Length;
        if (ResumeDirectory is null || total < ResumableStreamBytes)
        {
            return await SendStreamAsync(path, progress, null, 0, null, cancellationToken);
        }

        // A resumable stream: the token lives in a journal, so a later run (after a crash or a dropped link) asks the
        // farm how much it holds and sends only the rest.
        string sha256;
        await using (var hashing = File.OpenRead(path))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(hashing, cancellationToken));
        }

        var journalPath = UploadJournal.PathFor(ResumeDirectory, Address, ApiKey, sha256, total, StreamedJournal);
        if (!JournalsInUse.TryAdd(journalPath, 0))
        {
            return await SendStreamAsync(path, progress, null, 0, sha256, cancellationToken);
        }

        try
        {
            var journal = UploadJournal.TryLoad(journalPath, DateTimeOffset.UtcNow);
            if (journal is null)
            {
                journal = new UploadJournal { UploadId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), ExpiresAt = DateTimeOffset.UtcNow.AddHours(23), Parts = [] };
                journal.Save(journalPath);
            }

            for (var attempt = 1; ; attempt++)
            {
                var offset = (await Uploads.GetUploadProgressAsync(new GetUploadProgressRequest { ResumeToken = journal.UploadId }, cancellationToken: cancellationToken)).ReceivedBytes;
                try
                {
                    var response = await SendStreamAsync(path, progress, journal.UploadId, offset, sha256, cancellationToken);
                    UploadJournal.Delete(journalPath);
                    return response;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Aborted or StatusCode.FailedPrecondition && attempt < 3)
                {
                    // The farm still finishes receiving the broken stream, or holds a different amount: ask again.
                    await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
                {
                    // Whole but refused (checksum, size): the farm dropped those bytes; the journal goes with them.
                    UploadJournal.Delete(journalPath);
                    throw;
                }
            }
        }
        finally
        {
            JournalsInUse.TryRemove(journalPath, out _);
        }
    }

    private async Task<UploadResponse> SendStreamAsync(string path, Action<long, long>? progress, string? resumeToken, long offset, string? sha256, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var total = file.Length;
        file.Position = offset;
        using var call = Uploads.Upload(cancellationToken: cancellationToken);
        // The farm may answer before it has read the whole upload (it refuses a header at once: too big, bad token).
        // A write can then wait for flow control that never comes, so each write also waits for that answer.
        var answered = call.ResponseAsync;
        async Task WriteAsync(UploadRequest request)
        {
            var write = call.RequestStream.WriteAsync(request, cancellationToken);
            if (await Task.WhenAny(write, answered) == answered && !write.IsCompleted)
            {
                await answered;
                throw new InvalidOperationException("The farm answered the upload before it was sent whole.");
            }

            await write;
        }

        try
        {
            await WriteAsync(new UploadRequest
            {
                Header = new UploadHeader { FileName = Path.GetFileName(path), ContentType = ContentTypes.Guess(path), SizeBytes = total, ResumeToken = resumeToken ?? string.Empty, Offset = offset },
            });

            // Hashed while it streams unless the whole file's hash is known already (a resumed stream starts mid-file).
            using var hash = sha256 is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            var buffer = new byte[ChunkBytes];
            var sent = offset;
            if (sent > 0)
            {
                progress?.Invoke(sent, total);
            }

            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash?.AppendData(buffer, 0, read);
                await WriteAsync(new UploadRequest { Data = ByteString.CopyFrom(buffer, 0, read) });
                sent += read;
                progress?.Invoke(sent, total);
            }

            await WriteAsync(new UploadRequest { Trailer = new UploadTrailer { Sha256 = sha256 ?? Convert.ToHexStringLower(hash!.GetHashAndReset()) } });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The farm may have answered already (it refuses a header at once: too big, bad token), which ends the
            // stream under the writer; its answer, not the broken write, is the reason to report.
            await call.ResponseAsync;
            throw;
        }

        return await call;
    }

    /// <summary>
    /// A job's events from <paramref name="afterSequence"/> on, until its terminal event; when the stream breaks
    /// (the server restarts, the connection drops) it resumes after the last event seen, so none is lost or repeated.
    /// </summary>
    public async IAsyncEnumerable<JobEvent> WatchAsync(string jobId, long afterSequence = 0, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = afterSequence;
        var failures = 0;
        while (true)
        {
            var events = new List<JobEvent>();
            var broken = false;
            using (var call = Jobs.WatchJob(new WatchJobRequest { JobId = jobId, AfterSequence = after }, cancellationToken: cancellationToken))
            {
                var stream = call.ResponseStream;
                while (true)
                {
                    try
                    {
                        if (!await stream.MoveNext(cancellationToken))
                        {
                            break;
                        }
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ++failures <= MaxWatchFailures)
                    {
                        broken = true;
                        break;
                    }

                    after = stream.Current.Sequence;
                    failures = 0;
                    yield return stream.Current;
                }
            }

            if (broken)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            // The stream ends after the terminal event; a stream that ended early (a server shutting down) resumes.
            var job = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
            if (IsTerminal(job.State) && job.LastSequence <= after)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The edit plan of an output as rendered (revision 0 = the newest), as JSON text: edit it (delete words to cut them,
    /// correct their text, move crop keyframes, change texts) and send it back with <see cref="ReviseOutputAsync"/>.
    /// </summary>
    public async Task<(int Revision, string Json)> GetEditPlanAsync(string jobId, string output, int revision = 0, CancellationToken cancellationToken = default)
    {
        var document = await Jobs.GetEditPlanAsync(new GetEditPlanRequest { JobId = jobId, Output = output, Revision = revision }, cancellationToken: cancellationToken);
        return (document.Revision, Google.Protobuf.JsonFormatter.Default.Format(document.Plan));
    }

    /// <summary>
    /// Renders a new revision of an output from an edited plan made from revision <paramref name="baseRevision"/>;
    /// FAILED_PRECONDITION (STALE_REVISION) when someone revised it first. Follow the returned job to its end.
    /// </summary>
    public async Task<Job> ReviseOutputAsync(string jobId, string output, int baseRevision, string planJson, CancellationToken cancellationToken = default) =>
        await Jobs.ReviseOutputAsync(
            new ReviseOutputRequest { JobId = jobId, Output = output, BaseRevision = baseRevision, Plan = Google.Protobuf.JsonParser.Default.Parse<Google.Protobuf.WellKnownTypes.Struct>(planJson) },
            cancellationToken: cancellationToken);

    /// <summary>Follows a job to its end (see <see cref="WatchAsync"/>) and returns it as it finished.</summary>
    public async Task<Job> WaitAsync(string jobId, Action<JobEvent>? onEvent, CancellationToken cancellationToken)
    {
        await foreach (var jobEvent in WatchAsync(jobId, 0, cancellationToken))
        {
            onEvent?.Invoke(jobEvent);
        }

        return await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
    }

    /// <summary>Submits a job and waits for its end; set an idempotency key to make a retried submission safe.</summary>
    public async Task<Job> SubmitAndWaitAsync(SubmitJobRequest request, Action<JobEvent>? onEvent, CancellationToken cancellationToken)
    {
        var job = await Jobs.SubmitJobAsync(request, cancellationToken: cancellationToken);
        return await WaitAsync(job.Id, onEvent, cancellationToken);
    }

    /// <summary>Downloads every output into <paramref name="directory"/> and checks each SHA-256.</summary>
    public async Task<IReadOnlyList<string>> DownloadOutputsAsync(Job job, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var output in job.Outputs)
        {
            var path = Path.Combine(directory, SafeFileName($"{job.Id}-{output.Name}"));
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    using var call = Jobs.DownloadOutput(new DownloadOutputRequest { JobId = job.Id, Name = output.Name }, cancellationToken: cancellationToken);
                    await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        hash.AppendData(chunk.Data.Span);
                        await file.WriteAsync(chunk.Data.Memory, cancellationToken);
                    }
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (output.Sha256.Length > 0 && actual != output.Sha256)
                {
                    throw new InvalidDataException($"Download of {output.Name} is corrupt: SHA-256 {actual}, expected {output.Sha256}.");
                }
            }

            paths.Add(path);
        }

        return paths;
    }

    // Output names come from the server; a local file name must not climb out of the folder whatever they say.
    private static string SafeFileName(string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).TrimStart('.');
        return safe.Length == 0 ? "output" : safe;
    }

    public static bool IsTerminal(JobState state) => state.IsTerminal();

    public void Dispose() => _channel.Dispose();
}
