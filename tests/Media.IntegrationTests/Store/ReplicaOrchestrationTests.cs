using Media.JobApi;
using Media.JobApi.Orchestration;
using Media.JobApi.Store;
using Media.Pipelines.Patterns;
using Media.Platform.Bus;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Media.IntegrationTests.Store;

/// <summary>
/// Two API replicas (two orchestrators, two store connections) on one PostgreSQL database, both fed every
/// worker event and both sweeping, as happens around a consumer-group rebalance: each job still advances once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaOrchestrationTests(PostgresServer server) : IAsyncLifetime
{
    private const int Jobs = 8;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "replicas-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly InProcessBus _bus = new();
    private readonly List<JobDatabase> _databases = [];
    private readonly List<Orchestrator> _replicas = [];
    private IBusSubscription _work = null!;

    public async Task InitializeAsync()
    {
        var connection = await server.CreateDatabaseAsync();
        var options = Options.Create(new JobApiOptions { LeaseSeconds = 30, MaxAttempts = 3, DataDirectory = _root });
        var blobs = new FolderBlobStore(Options.Create(new FolderBlobStoreOptions { Root = Path.Combine(_root, "blobs") }), _time);
        for (var i = 0; i < 2; i++)
        {
            var database = JobDatabase.Postgres(connection, _time);
            await database.MigrateAsync(CancellationToken.None);
            _databases.Add(database);
            _replicas.Add(new Orchestrator(
                database.Jobs, database.Queries, database.Publications, _bus, new SubmissionValidator(new PatternLibrary(), database.Documents, database.Uploads, blobs),
                new JobEventNotifier(), options, _time, NullLogger<Orchestrator>.Instance));
        }

        _work = _bus.Subscribe("workers-cpu", Topics.StageTopics("cpu"));
    }

    public async Task DisposeAsync()
    {
        await _work.DisposeAsync();
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task TwoReplicas_SameEventsAndSweepsAtOnce_EachStageDispatchedOncePerAttempt()
    {
        var store = _databases[0];
        var jobIds = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            var upload = "up_" + i;
            await store.Uploads.CreateUploadAsync(new UploadRecord(upload, TenantIds.Default, $"uploads/{upload}/clip.mp4", "clip.mp4", "video/mp4", 10, "00", _time.GetUtcNow()), CancellationToken.None);
            var job = await _replicas[i % 2].SubmitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload }, PatternName = "reframe-vertical" }, TenantIds.Default, CancellationToken.None);
            jobIds.Add(job.Id);
        }

        var probes = await DrainAsync();
        Assert.Equal(Jobs, probes.Count);

        // Every event reaches both replicas at the same moment.
        await Task.WhenAll(probes.Select(p => BothAsync(Event(p, e => e.Started = new StageStarted()))));
        await Task.WhenAll(probes.Select(p => BothAsync(Event(p, e => e.Completed = new StageCompleted { MediaInfo = SourceInfo() }))));

        var next = await DrainAsync();
        Assert.Equal(Jobs * 2, next.Count);
        Assert.All(next, d => Assert.Equal(1, d.Attempt));
        Assert.Equal(Jobs * 2, next.Select(d => d.StageId).Distinct().Count());

        // The renders start, then their worker goes silent; both replicas sweep together.
        var renders = next.Where(d => d.Kind == StageKind.Render).ToList();
        await Task.WhenAll(renders.Select(r => BothAsync(Event(r, e => e.Started = new StageStarted()))));
        _time.Advance(TimeSpan.FromSeconds(31));
        await Task.WhenAll(_replicas.Select(r => r.SweepAsync(CancellationToken.None)));

        var redispatched = await DrainAsync();
        // The thumbnail stages never started: they are only renewed. Each silent render comes back exactly once.
        Assert.Equal(renders.Select(r => r.StageId).Order(), redispatched.Select(d => d.StageId).Order());
        Assert.All(redispatched, d => Assert.Equal(2, d.Attempt));

        foreach (var jobId in jobIds)
        {
            var events = await store.Jobs.GetEventsAsync(jobId, 0, 1000, CancellationToken.None);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.Single(events, e => e.StageChanged is { Kind: StageKind.Probe, State: StageState.Succeeded });
            Assert.Single(events, e => e.StateChanged is { State: JobState.Running });
            var probe = (await store.Jobs.GetStagesAsync(jobId, CancellationToken.None)).Single(s => s.Kind == StageKind.Probe);
            Assert.Equal((StageState.Succeeded, 1), (probe.State, probe.Attempt));
        }
    }

    private Task BothAsync(StageEvent stageEvent) =>
        Task.WhenAll(_replicas.Select(r => Task.Run(() => r.HandleStageEventAsync(stageEvent.Clone(), CancellationToken.None))));

    private static StageEvent Event(StageDispatch dispatch, Action<StageEvent> fill)
    {
        var stageEvent = new StageEvent { JobId = dispatch.JobId, StageId = dispatch.StageId, Attempt = dispatch.Attempt, WorkerId = "w1" };
        fill(stageEvent);
        return stageEvent;
    }

    private static MediaInfo SourceInfo() => new() { DurationSeconds = 5, Width = 1280, Height = 720, HasVideo = true, HasAudio = true, FrameRate = 30, VideoCodec = "h264" };

    private async Task<List<StageDispatch>> DrainAsync()
    {
        var dispatches = new List<StageDispatch>();
        while (true)
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                var delivery = await _work.ReceiveAsync(quiet.Token);
                dispatches.Add(StageDispatch.Parser.ParseFrom(delivery.Message.Payload.Span));
                await delivery.AcknowledgeAsync();
            }
            catch (OperationCanceledException)
            {
                return dispatches;
            }
        }
    }
}
