using System.Collections.Concurrent;
using Media.Pipelines.Tools;
using Media.Platform.Bus;
using Media.Platform.Storage;
using Media.Platform.Telemetry;
using Media.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers;

/// <summary>
/// Takes stages from the pool's topics and runs up to Slots of them at once. A stage is acknowledged on
/// receipt and runs outside the receive loop, so the loop never waits on a render; if this worker dies,
/// the orchestrator's lease expires and the stage goes to another worker (at-least-once, same output keys).
/// </summary>
public sealed class StageWorker : BackgroundService
{
    private readonly IMessageBus _bus;
    private readonly IBlobStore _blobs;
    private readonly StageEventPublisher _events;
    private readonly Dictionary<StageKind, IStageHandler> _handlers;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StageWorker> _logger;
    private readonly ConcurrentDictionary<string, ActiveStage> _running = new(StringComparer.Ordinal);
    private readonly RecentSet _cancelledJobs = new(10_000);

    private readonly Hardware.HardwareProbe _probe;
    private readonly Hardware.WorkerHardware _hardware;

    public StageWorker(
        IMessageBus bus,
        IBlobStore blobs,
        StageEventPublisher events,
        IEnumerable<IStageHandler> handlers,
        IOptions<WorkerOptions> options,
        TimeProvider time,
        ILogger<StageWorker> logger,
        Hardware.HardwareProbe probe,
        Hardware.WorkerHardware hardware)
    {
        _probe = probe;
        _hardware = hardware;
        _bus = bus;
        _blobs = blobs;
        _events = events;
        _handlers = handlers.ToDictionary(h => h.Kind);
        _options = options.Value;
        _time = time;
        _logger = logger;
        WorkerId = string.IsNullOrWhiteSpace(_options.WorkerId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : _options.WorkerId;
    }

    public string WorkerId { get; }

    /// <summary>Stages running right now.</summary>
    public int ActiveStages => _running.Count;

    private readonly TaskCompletionSource _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether this worker reads its pool's topics (false until it starts, and for a GPU-pool worker without NVENC).</summary>
    public bool TakingWork { get; private set; }

    /// <summary>Completes once the worker has started reading its topics or decided not to (a GPU-pool worker without NVENC).</summary>
    public Task Decided => _decided.Task;

    public int Slots => _options.Slots;

    public string Pool => _options.Pool;

    /// <summary>The stages running right now, for the worker's announcements.</summary>
    public IReadOnlyList<RunningStage> DescribeRunning() => [.. _running.Values.Select(s => s.Describe()).OrderBy(s => s.StageId, StringComparer.Ordinal)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Scratch left by a crash of this worker (kill -9 mid-render) is of no use to anyone.
        if (Directory.Exists(_options.WorkDirectory))
        {
            TryDelete(_options.WorkDirectory);
        }

        Directory.CreateDirectory(_options.WorkDirectory);
        var probing = ProbeHardwareAsync(stoppingToken);
        if (_options.Pool == Topics.GpuPool)
        {
            // A GPU-pool worker that cannot encode on the GPU takes nothing: its stages wait for a worker that can,
            // instead of being encoded on the CPU. Readiness says why.
            var capabilities = await probing;
            if (!capabilities.Nvenc.Available)
            {
                _logger.LogError("Worker {WorkerId} is in the GPU pool but NVENC does not work ({Detail}); it takes no stages", WorkerId, capabilities.Nvenc.Detail);
                _decided.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Shutting down.
                }

                return;
            }
        }

        await using var work = _bus.Subscribe($"workers-{_options.Pool}", Topics.StageTopics(_options.Pool));
        await using var control = _bus.Subscribe($"control-{WorkerId}", [new TopicWeight(Topics.Control)], onlyNewMessages: true);
        var controlLoop = ListenForControlAsync(control, stoppingToken);
        TakingWork = true;
        _decided.TrySetResult();
        using var slots = new SemaphoreSlim(_options.Slots, _options.Slots);
        var inFlight = new ConcurrentDictionary<Task, byte>();
        // Each slot's cores (null: not pinned); a stage takes a free slot's cores and gives them back when it ends.
        var cores = SlotCores();
        var freeSlots = new ConcurrentQueue<int>(Enumerable.Range(0, _options.Slots));
        _logger.LogInformation("Worker {WorkerId} serving pool {Pool} with {Slots} slots{Pinned}", WorkerId, _options.Pool, _options.Slots, cores is null ? "" : " on cores " + string.Join(" | ", cores));

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                BusDelivery delivery;
                try
                {
                    delivery = await work.ReceiveAsync(stoppingToken);
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                // As many slot numbers as the semaphore lets stages in: one is always free here.
                freeSlots.TryDequeue(out var slot);
                var task = RunDeliveryAsync(delivery, cores?[slot], stoppingToken);
                inFlight.TryAdd(task, 0);
                _ = task.ContinueWith(
                    t =>
                    {
                        inFlight.TryRemove(t, out _);
                        freeSlots.Enqueue(slot);
                        slots.Release();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        TakingWork = false;
        await Task.WhenAll(inFlight.Keys);
        await controlLoop;
        await probing;
    }

    private async Task<Hardware.HardwareCapabilities> ProbeHardwareAsync(CancellationToken stoppingToken)
    {
        try
        {
            var capabilities = await _probe.ProbeAsync(Path.Combine(_options.WorkDirectory, "hardware-probe"), stoppingToken);
            _hardware.Set(capabilities);
            return capabilities;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return _hardware.Current;
        }
        catch (Exception ex)
        {
            // A probe that breaks must not take the worker down; it only means no GPU path is trusted.
            _logger.LogWarning(ex, "Hardware probe failed; no GPU capability is assumed");
            var none = Hardware.Capability.No("probe failed: " + ex.Message);
            var capabilities = new Hardware.HardwareCapabilities(none, none, none, none, []);
            _hardware.Set(capabilities);
            return capabilities;
        }
    }

    // Media:Worker:PinSlots: the process's cores split among the slots, or null (off, or fewer cores than slots).
    private IReadOnlyList<string>? SlotCores()
    {
        if (!_options.PinSlots)
        {
            return null;
        }

        if (!(Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, "taskset"))))
        {
            _logger.LogWarning("Media:Worker:PinSlots is on but taskset (util-linux) is not on PATH: the worker's stages are not pinned");
            return null;
        }

        var allowed = ToolCpus.Allowed();
        var split = ToolCpus.Split(allowed, _options.Slots);
        if (split is null)
        {
            _logger.LogWarning("Media:Worker:PinSlots is on but the worker has {Cores} cores for {Slots} slots: its stages are not pinned", allowed.Count, _options.Slots);
        }

        return split;
    }

    private async Task RunDeliveryAsync(BusDelivery delivery, string? cpus, CancellationToken stoppingToken)
    {
        // Every tool this stage starts runs on its slot's cores (none set: any core).
        using var pinned = ToolCpus.Use(cpus);
        StageDispatch dispatch;
        try
        {
            dispatch = StageDispatch.Parser.ParseFrom(delivery.Message.Payload.Span);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            _logger.LogError(ex, "Dropped an unreadable message on {Topic}", delivery.Message.Topic);
            await delivery.AcknowledgeAsync();
            return;
        }

        if (_cancelledJobs.Contains(dispatch.JobId))
        {
            _logger.LogInformation("Skipped stage {StageId}: job {JobId} was cancelled while it waited", dispatch.StageId, dispatch.JobId);
            await delivery.AcknowledgeAsync();
            return;
        }

        // The stage continues the trace its dispatch carries (API call or the event that made it ready).
        using var activity = FarmTelemetry.StartFrom("stage " + dispatch.Kind.ToString().ToLowerInvariant(), delivery.Message.Headers);
        activity?.SetTag("media.job_id", dispatch.JobId).SetTag("media.stage_id", dispatch.StageId).SetTag("media.attempt", dispatch.Attempt).SetTag("media.tenant", dispatch.Tenant);
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["JobId"] = dispatch.JobId, ["StageId"] = dispatch.StageId, ["Tenant"] = dispatch.Tenant });
        await RunStageAsync(dispatch, delivery, stoppingToken);
    }

    private async Task RunStageAsync(StageDispatch dispatch, BusDelivery delivery, CancellationToken stoppingToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.MaxStageSeconds), _time);
        using var timeoutLink = timeout.Token.Register(cancel.Cancel);
        var running = new ActiveStage(dispatch, cancel);
        var runningKey = $"{dispatch.StageId}#{dispatch.Attempt}";
        _running[runningKey] = running;
        var workDirectory = Path.Combine(_options.WorkDirectory, $"{dispatch.StageId}-a{dispatch.Attempt}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDirectory);
        var progress = new ProgressState();
        using var reporterStop = new CancellationTokenSource();
        Task? reporter = null;
        var started = _time.GetTimestamp();
        var outcome = "failed";
        var context = new StageContext(dispatch, workDirectory, _blobs, progress.Set);

        try
        {
            await _events.PublishAsync(NewEvent(dispatch, e => e.Started = new StageStarted()), CancellationToken.None);

            // Acknowledged only once the orchestrator will hear of it: a worker dying before this point leaves
            // the message on the bus for another worker (Kafka), and one dying after it lets the lease expire.
            await delivery.AcknowledgeAsync();
            reporter = ReportProgressAsync(dispatch, progress, reporterStop.Token);
            if (!_handlers.TryGetValue(dispatch.Kind, out var handler))
            {
                throw new PatternMismatchException($"This worker has no handler for {dispatch.Kind} stages.");
            }

            _logger.LogInformation("Stage {StageId} (attempt {Attempt}) of job {JobId} started", dispatch.StageId, dispatch.Attempt, dispatch.JobId);
            var completed = await handler.HandleAsync(context, cancel.Token);
            await StopReporterAsync();
            await _events.PublishAsync(NewEvent(dispatch, e => e.Completed = completed), CancellationToken.None);
            outcome = "succeeded";
            foreach (var output in completed.Outputs)
            {
                FarmTelemetry.BytesWritten.Add(output.SizeBytes, new KeyValuePair<string, object?>("kind", output.Kind.ToString().ToLowerInvariant()));
            }

            _logger.LogInformation("Stage {StageId} of job {JobId} succeeded", dispatch.StageId, dispatch.JobId);
        }
        catch (OperationCanceledException) when (running.CancelledByOrchestrator)
        {
            outcome = "cancelled";
            _logger.LogInformation("Stage {StageId} of job {JobId} cancelled", dispatch.StageId, dispatch.JobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Hand the stage back now instead of waiting for the lease to expire.
            await PublishFailureAsync(dispatch, new JobError { Code = StageErrorCodes.WorkerStopping, Message = $"Worker {WorkerId} shut down during the stage.", Retryable = true });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await PublishFailureAsync(dispatch, new JobError { Code = "stage_timeout", Message = $"The stage ran longer than {_options.MaxStageSeconds} s (Media:Worker:MaxStageSeconds).", Retryable = false });
        }
        catch (Exception ex)
        {
            var error = Redact(StageFailures.Describe(ex), context);
            _logger.LogWarning(ex, "Stage {StageId} of job {JobId} failed: {Code} {Message}", dispatch.StageId, dispatch.JobId, error.Code, error.Message);
            await PublishFailureAsync(dispatch, error);
        }
        finally
        {
            await StopReporterAsync();
            RecordStage(dispatch, outcome, _time.GetElapsedTime(started).TotalSeconds);
            _running.TryRemove(runningKey, out _);
            TryDelete(workDirectory);
        }

        async Task StopReporterAsync()
        {
            if (reporter is not null)
            {
                await reporterStop.CancelAsync();
                await reporter;
                reporter = null;
            }
        }
    }

    // Errors go to the job's owner: they name stored files by their object keys and scratch files by their own
    // names, never by this machine's folders.
    private JobError Redact(JobError error, StageContext context)
    {
        var replacements = context.KeysByLocalPath
            .Select(p => (Path: p.Key, With: p.Value))
            .Append((Path: _blobs.TryGetLocalPath(context.Dispatch.SourceKey) ?? string.Empty, With: context.Dispatch.SourceKey))
            .Append((Path: context.WorkDirectory + Path.DirectorySeparatorChar, With: string.Empty))
            .Append((Path: context.WorkDirectory, With: "."))
            .Append((Path: _options.WorkDirectory, With: "<work>"))
            .Append((Path: StorageRoot(context.KeysByLocalPath) ?? string.Empty, With: "<storage>"))
            .Where(r => r.Path.Length > 0)
            .OrderByDescending(r => r.Path.Length)
            .ToList();
        string Clean(string text) => replacements.Aggregate(text, (current, r) => current.Replace(r.Path, r.With, StringComparison.Ordinal));

        error.Message = Clean(error.Message);
        error.ToolStderrTail = Clean(error.ToolStderrTail);
        return error;
    }

    // The folder store's own root (its data, meta and temp folders), from where it keeps a file it handed out
    // ("<root>/data/<key>"): IO errors of the store name its files by that path.
    private static string? StorageRoot(IEnumerable<KeyValuePair<string, string>> keysByLocalPath) =>
        keysByLocalPath
            .Where(p => p.Key.EndsWith(p.Value.Replace('/', Path.DirectorySeparatorChar), StringComparison.Ordinal))
            .Select(p => Path.GetDirectoryName(p.Key[..^p.Value.Length].TrimEnd(Path.DirectorySeparatorChar)))
            .FirstOrDefault(root => root is { Length: > 1 });

    private static void RecordStage(StageDispatch dispatch, string outcome, double seconds)
    {
        var kind = new KeyValuePair<string, object?>("kind", dispatch.Kind.ToString().ToLowerInvariant());
        FarmTelemetry.StageDuration.Record(seconds, kind, new KeyValuePair<string, object?>("outcome", outcome));
        if (outcome == "succeeded" && dispatch.SourceInfo.DurationSeconds > 0)
        {
            FarmTelemetry.RealTimeFactor.Record(seconds / dispatch.SourceInfo.DurationSeconds, kind);
        }

        if (System.Diagnostics.Activity.Current is { } activity && outcome != "succeeded")
        {
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
        }
    }

    private async Task PublishFailureAsync(StageDispatch dispatch, JobError error)
    {
        try
        {
            await _events.PublishAsync(NewEvent(dispatch, e => e.Failed = new StageFailed { Error = error }), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease will expire and re-dispatch the stage; nothing is lost.
            _logger.LogError(ex, "Could not report the failure of stage {StageId}", dispatch.StageId);
        }
    }

    // Progress doubles as the lease heartbeat: send changes at most twice a second, and something at least
    // every HeartbeatSeconds even when ffmpeg is quiet.
    private async Task ReportProgressAsync(StageDispatch dispatch, ProgressState progress, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), _time);
        var lastSent = _time.GetTimestamp();
        var lastVersion = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var (version, fraction, speed, fps) = progress.Snapshot();
                if (version == lastVersion && _time.GetElapsedTime(lastSent) < TimeSpan.FromSeconds(_options.HeartbeatSeconds))
                {
                    continue;
                }

                lastVersion = version;
                lastSent = _time.GetTimestamp();
                await _events.PublishAsync(NewEvent(dispatch, e => e.Progress = new StageProgress { Fraction = fraction, Speed = speed, Fps = fps }), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stage finished.
        }
    }

    private Task ListenForControlAsync(IBusSubscription control, CancellationToken stoppingToken) =>
        BusConsumer.ConsumeAsync(control, ControlMessage.Parser, (message, _, _) =>
        {
            if (message.StopRun is { } stale)
            {
                // One stage's runs that nothing will accept; the job goes on (its other stages and later attempts).
                foreach (var stage in _running.Values.Where(s => s.JobId == stale.JobId && s.StageId == stale.StageId && s.Attempt <= stale.UpToAttempt))
                {
                    _logger.LogInformation("Stopping stage {StageId} attempt {Attempt} of job {JobId}: the job no longer needs this run", stage.StageId, stage.Attempt, stage.JobId);
                    stage.CancelByOrchestrator();
                }
            }
            else if (message.Cancel is { } cancel)
            {
                // A CancelStage means the job was cancelled: its later dispatches are skipped too.
                _cancelledJobs.Add(cancel.JobId);
                foreach (var stage in _running.Values.Where(s => s.JobId == cancel.JobId && (cancel.StageId.Length == 0 || s.StageId == cancel.StageId)))
                {
                    _logger.LogInformation("Cancelling stage {StageId} of job {JobId}", stage.StageId, stage.JobId);
                    stage.CancelByOrchestrator();
                }
            }

            return Task.CompletedTask;
        }, _logger, stoppingToken, acknowledgeFirst: true);

    private StageEvent NewEvent(StageDispatch dispatch, Action<StageEvent> fill)
    {
        var stageEvent = new StageEvent { JobId = dispatch.JobId, StageId = dispatch.StageId, Attempt = dispatch.Attempt, WorkerId = WorkerId };
        fill(stageEvent);
        return stageEvent;
    }

    private void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Could not remove scratch folder {Directory}", directory);
        }
    }

    private sealed class ActiveStage(StageDispatch dispatch, CancellationTokenSource cancel)
    {
        private volatile bool _cancelledByOrchestrator;

        public string JobId { get; } = dispatch.JobId;

        public string StageId { get; } = dispatch.StageId;

        public int Attempt { get; } = dispatch.Attempt;

        public RunningStage Describe() => new() { JobId = dispatch.JobId, StageId = dispatch.StageId, Kind = dispatch.Kind.ToString().ToLowerInvariant(), Attempt = dispatch.Attempt, Tenant = dispatch.Tenant };

        public bool CancelledByOrchestrator => _cancelledByOrchestrator;

        public void CancelByOrchestrator()
        {
            _cancelledByOrchestrator = true;
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
    }

    private sealed class ProgressState
    {
        private readonly Lock _gate = new();
        private int _version;
        private double _fraction;
        private double _speed;
        private double _fps;

        public void Set(double fraction, double speed, double fps)
        {
            lock (_gate)
            {
                _version++;
                _fraction = fraction;
                _speed = speed;
                _fps = fps;
            }
        }

        public (int Version, double Fraction, double Speed, double Fps) Snapshot()
        {
            lock (_gate)
            {
                return (_version, _fraction, _speed, _fps);
            }
        }
    }
}
