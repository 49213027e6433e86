using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Errors;
using Media.JobApi.Orchestration.Machine;
using Media.JobApi.Store;
using Media.Platform.Bus;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Orchestration;

/// <summary>
/// The thin shell around <see cref="JobStateMachine"/>: one place that takes the lock, reads a job, asks the machine,
/// commits with the job's version and hands the effects to <see cref="JobEffects"/> once the lock is released.
/// Several API replicas may share a store: a commit decided from a stale read is refused, read again and decided again,
/// so each job advances through exactly one replica's decision at a time.
/// </summary>
public sealed class Orchestrator : IDisposable
{
    private const int MaxConflictRetries = 5;

    private readonly IJobStore _store;
    private readonly IOrchestrationQueries _queries;
    private readonly IPublicationStore _publications;
    private readonly SubmissionValidator _validator;
    private readonly JobEventNotifier _notifier;
    private readonly JobApiOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Orchestrator> _logger;
    private readonly Admission _admission;
    private readonly JobEffects _effects;
    private readonly JobStateMachine _machine;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Orchestrator(
        IJobStore store,
        IOrchestrationQueries queries,
        IPublicationStore publications,
        IMessageBus bus,
        SubmissionValidator validator,
        JobEventNotifier notifier,
        IOptions<JobApiOptions> options,
        TimeProvider time,
        ILogger<Orchestrator> logger,
        Webhooks.WebhookSender? webhooks = null,
        IOptions<QuotaOptions>? quotaOptions = null,
        Media.Platform.Telemetry.QueueDepth? queueDepth = null,
        Media.Platform.Storage.IBlobStore? blobs = null)
    {
        _store = store;
        _queries = queries;
        _publications = publications;
        _validator = validator;
        _notifier = notifier;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _machine = new JobStateMachine(MachineSettings.From(_options));
        _admission = new Admission(queries, quotaOptions?.Value ?? new QuotaOptions(), queueDepth, time);
        _effects = new JobEffects(bus, _options, logger, webhooks, AdmitHeldAsync, ParkAsync, ForgetPublishedAsync, store.GetOutputsAsync, blobs, (job, due) => _queries.ScheduleRunTidyAsync(job.Id, job.Tenant, due, CancellationToken.None), time);
    }

    public async Task<JobRecord> SubmitAsync(SubmitJobRequest request, string tenant, CancellationToken cancellationToken, string fieldPrefix = "")
    {
        var valid = await _validator.ValidateAsync(request, tenant, fieldPrefix, cancellationToken);
        var hash = RequestHash.Compute(request, valid.SourceIdentity);
        var (job, created) = await UnderGateAsync(() => RetryOnConflictAsync(async () =>
        {
            // A conflict here means another replica stored the same idempotency key first: the next try finds it.
            if (request.IdempotencyKey.Length > 0 && await _store.FindByIdempotencyKeyAsync(tenant, request.IdempotencyKey, cancellationToken) is { } existing)
            {
                return existing.RequestHash == hash
                    ? ((existing, false), (IReadOnlyList<JobEffect>)[])
                    : throw new ConflictException(
                        $"Idempotency key '{request.IdempotencyKey}' was already used for a different request (job {existing.Id}).",
                        "IDEMPOTENCY_KEY_REUSED",
                        "job",
                        existing.Id,
                        new Dictionary<string, string> { ["idempotency_key"] = request.IdempotencyKey, ["job_id"] = existing.Id });
            }

            var now = _time.GetUtcNow();
            await _admission.CheckQuotasAsync(tenant, now, cancellationToken);
            var admit = await _admission.HasRoomAsync(tenant, cancellationToken);
            var job = NewJob(request, tenant, valid, hash, now, held: !admit);
            var decision = _machine.Submit(job, JobPlanner.Expand(job.Id, valid.Pattern, job.OutputsWanted), admit, Time());
            await CommitAsync(decision.Changes!, decision.Effects, cancellationToken);
            return ((decision.Changes!.Job, true), decision.Effects);
        }), cancellationToken);

        if (created && request.PublishAt is not null)
        {
            await _publications.PutPublicationAsync(new PublicationRecord(job.Id, tenant, Publishing.PublicationRules.Scheduled(request.PublishAt, request.Destinations)), cancellationToken);
        }

        return job;
    }

    public Task<JobRecord> CancelAsync(string jobId, string tenant, CancellationToken cancellationToken) =>
        ApplyOwnedAsync(jobId, tenant, new CancelJob(), cancellationToken);

    /// <summary>Runs a failed job again from where it failed (see the RetryJob RPC).</summary>
    public Task<JobRecord> RetryAsync(string jobId, string tenant, CancellationToken cancellationToken) =>
        ApplyOwnedAsync(jobId, tenant, new RetryJob(), cancellationToken);

    /// <summary>
    /// Renders a new revision of an output from the edited plan stored at <paramref name="planKey"/> (see the ReviseOutput
    /// RPC), in parts when it is <paramref name="splittableSeconds"/> long and that is long enough (0: in one piece).
    /// </summary>
    public Task<JobRecord> ReviseAsync(string jobId, string tenant, string output, int baseRevision, string planKey, double splittableSeconds, CancellationToken cancellationToken) =>
        ApplyOwnedAsync(jobId, tenant, new ReviseOutput(output, baseRevision, planKey, splittableSeconds), cancellationToken);

    public Task HandleStageEventAsync(StageEvent stageEvent, CancellationToken cancellationToken) =>
        ApplyAsync(stageEvent.JobId, new ApplyStageEvent(stageEvent), cancellationToken);

    /// <summary>Admits a tenant's held jobs while it is under its running-jobs allowance (after a job ends, and by the sweep).</summary>
    public async Task AdmitHeldAsync(string tenant, CancellationToken cancellationToken)
    {
        foreach (var jobId in await _admission.NextHeldAsync(tenant, cancellationToken))
        {
            try
            {
                await ApplyAsync(jobId, new AdmitJob(), cancellationToken);
            }
            catch (ConcurrentChangeException)
            {
                _logger.LogDebug("Job {JobId} changed elsewhere while being admitted", jobId);
            }
        }
    }

    /// <summary>Dispatches again stages whose lease ran out and stages whose retry delay is over; admits held jobs that have room.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        await _admission.CountQueueAsync(cancellationToken);

        // Held jobs whose admission was missed (a crash between commit and admit, another replica's finish).
        foreach (var tenant in await _queries.GetTenantsWithHeldJobsAsync(cancellationToken))
        {
            await AdmitHeldAsync(tenant, cancellationToken);
        }

        await RepublishLostDispatchesAsync(cancellationToken);
        foreach (var candidate in await _queries.GetDueStagesAsync(_time.GetUtcNow(), cancellationToken))
        {
            try
            {
                await ApplyAsync(candidate.JobId, new SweepStage(candidate.Id), cancellationToken);
            }
            catch (ConcurrentChangeException)
            {
                // Another replica (or an event) kept moving the job; the next sweep looks again.
                _logger.LogDebug("Stage {StageId} changed elsewhere during the sweep", candidate.Id);
            }
        }
    }

    /// <summary>
    /// After a restart on a non-durable bus, what was in flight is gone with the old process: dispatch it again now
    /// (new attempt, not counted as a failure) rather than waiting for the leases.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (_effects.BusIsDurable)
        {
            return;
        }

        foreach (var stage in await _queries.GetActiveStagesAsync(cancellationToken))
        {
            try
            {
                await ApplyAsync(stage.JobId, new RecoverStage(stage.Id), cancellationToken);
            }
            catch (ConcurrentChangeException)
            {
                _logger.LogInformation("Stage {StageId} was moved on by another replica; leaving it to that one", stage.Id);
            }
        }
    }

    /// <summary>
    /// Dispatches committed long ago that the bus never confirmed: their publisher died between the commit and the
    /// publish. The stage is still dispatched and would wait forever for a message that does not exist.
    /// </summary>
    private async Task RepublishLostDispatchesAsync(CancellationToken cancellationToken)
    {
        var before = _time.GetUtcNow().AddSeconds(-_options.UnpublishedDispatchSeconds);
        foreach (var lost in await _queries.GetUnpublishedDispatchesAsync(before, 100, cancellationToken))
        {
            var stage = await _store.GetStageAsync(lost.StageId, cancellationToken);
            if (stage is not { State: StageState.Dispatched } || stage.Attempt != lost.Attempt)
            {
                // Moved on (started, retried, cancelled): nothing is waiting for this message.
                await _queries.ForgetUnpublishedDispatchAsync(lost.StageId, lost.Attempt, cancellationToken);
                continue;
            }

            try
            {
                await ApplyAsync(lost.JobId, new RepublishDispatch(lost.StageId, lost.Attempt), cancellationToken);
            }
            catch (ConcurrentChangeException)
            {
                _logger.LogDebug("Stage {StageId} changed elsewhere while its dispatch was republished", lost.StageId);
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    private Task ParkAsync(StageRecord unpublished) => ApplyAsync(unpublished.JobId, new ParkStage(unpublished.Id, unpublished.Attempt), CancellationToken.None);

    /// <summary>The bus confirmed a dispatch: its outbox record goes. A failure here only means one needless republish later.</summary>
    private async Task ForgetPublishedAsync(StageRecord stage)
    {
        try
        {
            await _queries.ForgetUnpublishedDispatchAsync(stage.Id, stage.Attempt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            _logger.LogWarning("Could not record stage {StageId} attempt {Attempt} as published ({Cause})", stage.Id, stage.Attempt, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
        }
    }

    private async Task<JobRecord> ApplyOwnedAsync(string jobId, string tenant, JobInput input, CancellationToken cancellationToken) =>
        await ApplyAsync(jobId, input, cancellationToken, tenant) ?? throw new ResourceNotFoundException("job", jobId);

    // The one frame of every transition: lock, read (the job first, then its stages: a commit by another replica in
    // between changes the job's version, so a decision made from an older stage read can never be committed), decide,
    // commit with the version check, and on a conflict read and decide again. Effects go out after the lock is released.
    private Task<JobRecord?> ApplyAsync(string jobId, JobInput input, CancellationToken cancellationToken, string? tenant = null) =>
        UnderGateAsync(() => RetryOnConflictAsync<(JobRecord?, IReadOnlyList<JobEffect>)>(async () =>
        {
            var job = await _store.GetJobAsync(jobId, cancellationToken);
            if (job is null || (tenant is not null && job.Tenant != tenant))
            {
                return (null, []);
            }

            var stages = await _store.GetStagesAsync(jobId, cancellationToken);
            var outputs = input.NeedsOutputs ? await _store.GetOutputsAsync(jobId, cancellationToken) : [];
            var decision = _machine.Decide(new JobSnapshot(job, stages, outputs), input, Time());
            if (decision.Changes is { } changes)
            {
                await CommitAsync(changes, decision.Effects, cancellationToken);
                return (changes.Job, decision.Effects);
            }

            return (decision.Job, decision.Effects);
        }), cancellationToken);

    private async Task<T> UnderGateAsync<T>(Func<Task<(T Result, IReadOnlyList<JobEffect> Effects)>> transition, CancellationToken cancellationToken)
    {
        (T Result, IReadOnlyList<JobEffect> Effects) outcome;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            outcome = await transition();
        }
        finally
        {
            _gate.Release();
        }

        // A slow or unreachable bus (a Kafka outage) must not stall every other job's transitions behind one publish.
        await _effects.CarryOutAsync(outcome.Effects);
        return outcome.Result;
    }

    private async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> transition)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transition();
            }
            catch (ConcurrentChangeException ex) when (attempt < MaxConflictRetries)
            {
                _logger.LogDebug(ex, "Concurrent change; deciding again (try {Attempt})", attempt + 1);
            }
        }
    }

    private async Task CommitAsync(JobChanges changes, IReadOnlyList<JobEffect> effects, CancellationToken cancellationToken)
    {
        // Every dispatch this commit makes is recorded as unpublished with it, until the bus confirms it (the outbox).
        changes.Unpublished.AddRange(effects.OfType<DispatchStages>().SelectMany(d => d.Stages));
        var now = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        foreach (var jobEvent in changes.Events)
        {
            jobEvent.Time ??= now;
        }

        if (changes.Job.IsTerminal)
        {
            changes.TidyRunsAt = _time.GetUtcNow().AddSeconds(_options.RunLeftoverSeconds);
        }

        await _store.CommitAsync(changes, cancellationToken);
        _notifier.Notify(changes.Job.Id);
    }

    private DecisionTime Time() => new(_time.GetUtcNow(), Random.Shared.NextDouble());

    private static JobRecord NewJob(SubmitJobRequest request, string tenant, ValidSubmission valid, string hash, DateTimeOffset now, bool held) => new()
    {
        Id = NewJobId(now),
        Tenant = tenant,
        IdempotencyKey = request.IdempotencyKey,
        RequestHash = hash,
        PatternName = valid.Pattern.Name,
        PatternDocument = valid.Pattern.Document,
        SourceKey = valid.SourceKey,
        Parameters = new Dictionary<string, string>(request.Parameters),
        Labels = new Dictionary<string, string>(request.Labels),
        OutputsWanted = [.. request.Outputs],
        Templates = valid.Templates,
        Priority = request.Priority == Priority.Unspecified ? Priority.Normal : request.Priority,
        WebhookUrl = request.WebhookUrl,
        State = JobState.Queued,
        Held = held,
        CreatedAt = now,
        UpdatedAt = now,
    };

    // Sortable by creation time, unguessable enough to not enumerate.
    private static string NewJobId(DateTimeOffset now) =>
        $"job_{now:yyyyMMddHHmmss}_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}";
}
