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

namespace Media.UnitTests.Orchestration;

/// <summary>A real orchestrator on a real SQLite store in a temp folder, with fake time and a fake worker's view of the bus.</summary>
internal sealed class OrchestratorHarness : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-" + Guid.NewGuid().ToString("N"));
    private readonly IBusSubscription _work;
    private readonly IBusSubscription _control;

    public OrchestratorHarness(JobApiOptions? options = null, QuotaOptions? quotas = null)
    {
        Quotas = quotas ?? new QuotaOptions();
        Options = options ?? new JobApiOptions { LeaseSeconds = 30, MaxAttempts = 3, RetryBaseDelayMilliseconds = 1000 };
        Options.DataDirectory = _root;
        Database = JobDatabase.Sqlite(_root, Time);
        Blobs = new FolderBlobStore(Microsoft.Extensions.Options.Options.Create(new FolderBlobStoreOptions { Root = Path.Combine(_root, "blobs") }), Time);
        _work = Bus.Subscribe("workers-cpu", Topics.StageTopics("cpu"));
        _control = Bus.Subscribe("control-test", [new TopicWeight(Topics.Control)]);
        Orchestrator = NewOrchestrator();
    }

    public JobApiOptions Options { get; }

    public QuotaOptions Quotas { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public InProcessBus Bus { get; } = new();

    public JobDatabase Database { get; }

    public FolderBlobStore Blobs { get; }

    public PatternLibrary Patterns { get; } = new();

    public Orchestrator Orchestrator { get; private set; }

    public Orchestrator NewOrchestrator(IMessageBus? bus = null) => new(
        Database.Jobs,
        Database.Queries,
        Database.Publications,
        bus ?? Bus,
        new SubmissionValidator(Patterns, Database.Documents, Database.Uploads, Blobs),
        new JobEventNotifier(),
        Microsoft.Extensions.Options.Options.Create(Options),
        Time,
        NullLogger<Orchestrator>.Instance,
        quotaOptions: Microsoft.Extensions.Options.Options.Create(Quotas),
        blobs: Blobs);

    public async Task<string> CreateUploadAsync(string tenant = TenantIds.Default)
    {
        await Database.MigrateAsync(CancellationToken.None);
        var id = "up_" + Guid.NewGuid().ToString("N");
        await Database.Uploads.CreateUploadAsync(new UploadRecord(id, tenant, TenantKeys.Upload(tenant, id, "clip.mp4"), "clip.mp4", "video/mp4", 10, "00", Time.GetUtcNow()), CancellationToken.None);
        return id;
    }

    /// <summary>
    /// One output cropped in the middle and its covers: the smallest graph (probe, then render and thumbnails), with no
    /// analysis stage (the built-in reframe-vertical follows faces, so it analyses).
    /// </summary>
    public const string CentreCrop = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: centre-crop
        outputs: [{ name: vertical, preset: tiktok }]
        steps:
          - reframe: { mode: center }
        thumbnail:
          frames: 2
          templates: [vertical-cover, square-clean]
        """;

    public async Task<JobRecord> SubmitAsync(Action<SubmitJobRequest>? customize = null, string tenant = TenantIds.Default)
    {
        var request = new SubmitJobRequest { Source = new Source { UploadId = await CreateUploadAsync(tenant) }, InlinePattern = CentreCrop };
        customize?.Invoke(request);
        return await Orchestrator.SubmitAsync(request, tenant, CancellationToken.None);
    }

    public async Task<StageDispatch> NextDispatchAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var delivery = await _work.ReceiveAsync(timeout.Token);
        return StageDispatch.Parser.ParseFrom(delivery.Message.Payload.Span);
    }

    public async Task<bool> HasPendingDispatchAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        try
        {
            await _work.ReceiveAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<ControlMessage> NextControlAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var delivery = await _control.ReceiveAsync(timeout.Token);
        return ControlMessage.Parser.ParseFrom(delivery.Message.Payload.Span);
    }

    public Task SendAsync(StageDispatch dispatch, Action<StageEvent> fill)
    {
        var stageEvent = new StageEvent { JobId = dispatch.JobId, StageId = dispatch.StageId, Attempt = dispatch.Attempt, WorkerId = "w1" };
        fill(stageEvent);
        return Orchestrator.HandleStageEventAsync(stageEvent, CancellationToken.None);
    }

    public async Task<StageRecord> StageAsync(string stageId) => (await Database.Jobs.GetStageAsync(stageId, CancellationToken.None))!;

    public async Task<JobRecord> JobAsync(string jobId) => (await Database.Jobs.GetJobAsync(jobId, CancellationToken.None))!;

    public static MediaInfo SourceInfo() => new() { DurationSeconds = 5, Width = 1280, Height = 720, HasVideo = true, HasAudio = true, FrameRate = 30, VideoCodec = "h264" };

    public async ValueTask DisposeAsync()
    {
        await _work.DisposeAsync();
        await _control.DisposeAsync();
        Orchestrator.Dispose();
        await Database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
