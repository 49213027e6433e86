using Google.Rpc;
using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>The Media.Client helpers against a real farm: submit-and-wait, watching as an async stream, resuming from a sequence.</summary>
[Collection(MediaCollection.Name)]
public sealed class ClientLibraryTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task SubmitAndWait_ThenWatchFromASequence_YieldsEachLaterEventOnceInOrder()
    {
        using var client = new FarmClient(_farm.Client.Address);
        var upload = await client.UploadFileAsync(media.Silent, null, CancellationToken.None);
        var seen = new List<JobEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var job = await client.SubmitAndWaitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "client-lib-1" }, seen.Add, timeout.Token);

        Assert.Equal(JobState.Succeeded, job.State);
        // In order, each once; a stage's heartbeats are compacted when it ends, so a watcher reading stored events may skip some numbers.
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "sequences strictly increase");
        Assert.Equal(JobState.Succeeded, seen.Last(e => e.StateChanged is not null).StateChanged.State);
        Assert.Equal(job.LastSequence, seen[^1].Sequence);

        var middle = seen[seen.Count / 2].Sequence;
        var replayed = new List<JobEvent>();
        await foreach (var jobEvent in client.WatchAsync(job.Id, middle, timeout.Token))
        {
            replayed.Add(jobEvent);
        }

        // The replay is the stored log after `middle`: every state and stage change seen live, and of the heartbeats only
        // the last of each stage.
        var stored = await client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.Equal(stored.LastSequence, replayed[^1].Sequence);
        Assert.Equal(seen.Where(e => e.Sequence > middle && e.Progress is null).Select(e => e.Sequence), replayed.Where(e => e.Progress is null).Select(e => e.Sequence));
        Assert.All(replayed.Where(e => e.Progress is not null).GroupBy(e => e.Progress.StageId), g => Assert.Single(g));
        Assert.Subset(seen.Select(e => e.Sequence).ToHashSet(), replayed.Select(e => e.Sequence).ToHashSet());
        var again = await client.SubmitAndWaitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "client-lib-1" }, null, timeout.Token);
        Assert.Equal(job.Id, again.Id);
    }

    [Fact]
    public async Task StreamedUpload_CutOffMidway_ANewClientSendsOnlyTheRest()
    {
        const int Size = 10 * 1024 * 1024;
        var file = Path.Combine(_farm.DataDirectory, "big.bin");
        var bytes = new byte[Size];
        new Random(11).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        var journals = Path.Combine(_farm.DataDirectory, "journals");
        using var stop = new CancellationTokenSource();
        using (var first = new FarmClient(_farm.Client.Address) { ResumeDirectory = journals })
        {
            // The link "drops" once 4 MiB are on their way.
            var cut = await Record.ExceptionAsync(() => first.UploadFileAsync(file, (sent, _) => { if (sent >= 4 * 1024 * 1024) stop.Cancel(); }, stop.Token));
            Assert.True(cut is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled }, $"unexpected {cut}");
        }

        var progress = new List<long>();
        using var second = new FarmClient(_farm.Client.Address) { ResumeDirectory = journals };
        var upload = await second.UploadFileAsync(file, (sent, _) => progress.Add(sent), CancellationToken.None);
        var blobs = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Media.Platform.Storage.IBlobStore>(_farm.Services);
        await using var stored = await blobs.OpenReadAsync(upload.Key, CancellationToken.None);

        // The first report is where the farm's copy stood: the resumed call sent only the rest.
        Assert.InRange(progress[0], 1, Size - 1);
        Assert.Equal(Size, progress[^1]);
        Assert.Equal((Size, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))), (upload.SizeBytes, upload.Sha256));
        Assert.Equal(upload.Sha256, Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stored)));
        Assert.Empty(Directory.GetFiles(journals));
        Assert.Empty(Directory.GetFiles(Path.Combine(_farm.DataDirectory, "partial-uploads")));
    }

    [Fact]
    public async Task ResumableUpload_BadTokenOrOffset_IsRefusedNamingTheField()
    {
        async Task<Grpc.Core.RpcException> SendAsync(UploadHeader header)
        {
            using var call = _farm.Client.Uploads.Upload();
            return await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            {
                await call.RequestStream.WriteAsync(new UploadRequest { Header = header });
                await call.RequestStream.WriteAsync(new UploadRequest { Data = Google.Protobuf.ByteString.CopyFrom(new byte[10]) });
                await call.RequestStream.CompleteAsync();
                await call;
            });
        }

        var offsetWithoutToken = await SendAsync(new UploadHeader { FileName = "a.bin", Offset = 5 });
        var badToken = await SendAsync(new UploadHeader { FileName = "a.bin", ResumeToken = "short" });
        var aheadOfServer = await SendAsync(new UploadHeader { FileName = "a.bin", ResumeToken = "token-0123456789abcdef", Offset = 5 });
        var progress = await _farm.Client.Uploads.GetUploadProgressAsync(new GetUploadProgressRequest { ResumeToken = "token-unknown-0123456789" });

        Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, true), (offsetWithoutToken.StatusCode, offsetWithoutToken.Status.Detail.Contains("header.offset", StringComparison.Ordinal)));
        Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, true), (badToken.StatusCode, badToken.Status.Detail.Contains("header.resume_token", StringComparison.Ordinal)));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, aheadOfServer.StatusCode);
        Assert.Contains("resume from offset 0", aheadOfServer.Status.Detail, StringComparison.Ordinal);
        var info = Grpc.Core.RpcExceptionExtensions.GetRpcStatus(aheadOfServer)?.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.Equal(("WRONG_RESUME_OFFSET", "0"), (info!.Reason, info.Metadata["held_bytes"]));
        Assert.Equal(0, progress.ReceivedBytes);
    }
}
