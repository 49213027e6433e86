using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Media.Protos.V1;

namespace Media.Cli.Client;

/// <summary>Typed calls the CLI needs: streamed upload with checksum, resumable watch, verified downloads.</summary>
public sealed class FarmClient : IDisposable
{
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>Files at least this big go straight to storage when the farm offers it (S3).</summary>
    public const long DirectUploadThresholdBytes = 64L * 1024 * 1024;

    public const string ApiKeyVariable = "MEDIA_API_KEY";

    private readonly GrpcChannel _channel;

    /// <param name="apiKey">Sent as "authorization: Bearer …" on every call; null takes $MEDIA_API_KEY (none when unset).</param>
    public FarmClient(string address, string? apiKey = null)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
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
    }

    public string Address { get; }

    /// <summary>The key sent with every call (null: none).</summary>
    public string? ApiKey { get; }

    public Jobs.JobsClient Jobs { get; }

    public Uploads.UploadsClient Uploads { get; }

    public Patterns.PatternsClient Patterns { get; }

    public Engagement.EngagementClient Engagement { get; }

    public Admin.AdminClient Admin { get; }

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
    /// Direct-to-storage upload: CreateUpload plans parts with presigned URLs, each part is PUT to storage
    /// (bytes never pass through the API), CompleteUpload verifies size and SHA-256.
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

        var plan = await Uploads.CreateUploadAsync(
            new CreateUploadRequest { FileName = Path.GetFileName(path), ContentType = ContentTypes.Guess(path), SizeBytes = total, Sha256 = sha256, PartSizeBytes = partSizeBytes },
            cancellationToken: cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        await using var file = File.OpenRead(path);
        var completed = new CompleteUploadRequest { UploadId = plan.UploadId };
        long sent = 0;
        foreach (var part in plan.Parts)
        {
            var bytes = new byte[part.SizeBytes];
            file.Position = part.Offset;
            await file.ReadExactlyAsync(bytes, cancellationToken);
            using var response = await http.PutAsync(new Uri(part.Url), new ByteArrayContent(bytes), cancellationToken);
            response.EnsureSuccessStatusCode();
            var etag = response.Headers.ETag?.Tag ?? throw new InvalidOperationException($"Storage answered part {part.PartNumber} without an ETag.");
            completed.Parts.Add(new CompletedPart { PartNumber = part.PartNumber, Etag = etag });
            sent += part.SizeBytes;
            progress?.Invoke(sent, total);
        }

        return await Uploads.CompleteUploadAsync(completed, cancellationToken: cancellationToken);
    }

    private async Task<UploadResponse> UploadStreamedAsync(string path, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var total = file.Length;
        using var call = Uploads.Upload(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new UploadRequest
        {
            Header = new UploadHeader { FileName = Path.GetFileName(path), ContentType = ContentTypes.Guess(path), SizeBytes = total },
        }, cancellationToken);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long sent = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await call.RequestStream.WriteAsync(new UploadRequest { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
            sent += read;
            progress?.Invoke(sent, total);
        }

        await call.RequestStream.WriteAsync(new UploadRequest { Trailer = new UploadTrailer { Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()) } }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>Follows a job to its end, resuming from the last sequence if the stream breaks.</summary>
    public async Task<Job> WaitAsync(string jobId, Action<JobEvent>? onEvent, CancellationToken cancellationToken)
    {
        long after = 0;
        var failures = 0;
        while (true)
        {
            try
            {
                using var call = Jobs.WatchJob(new WatchJobRequest { JobId = jobId, AfterSequence = after }, cancellationToken: cancellationToken);
                await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    after = jobEvent.Sequence;
                    failures = 0;
                    onEvent?.Invoke(jobEvent);
                }

                var job = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
                if (IsTerminal(job.State))
                {
                    return job;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ++failures <= 30)
            {
                // The server restarts or the connection dropped: resume where we were.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Downloads every output into <paramref name="directory"/> and checks each SHA-256.</summary>
    public async Task<IReadOnlyList<string>> DownloadOutputsAsync(Job job, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var output in job.Outputs)
        {
            var path = Path.Combine(directory, Media.Platform.Storage.BlobKey.SafeSegment($"{job.Id}-{output.Name}"));
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

    public static bool IsTerminal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public void Dispose() => _channel.Dispose();
}
