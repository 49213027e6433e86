using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Platform.Bus;
using Media.Platform.Storage;
using Media.Platform.Telemetry;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Orchestration;

/// <summary>
/// Owns every job and stage transition. Stages are dispatched under a lease; worker events renew it;
/// an expired lease or a retryable failure re-dispatches with a new attempt number (events from older
/// attempts are ignored), so work is done at least once and outputs, keyed per stage, are never duplicated.
/// Transitions run one at a time and each is one store transaction. Several API replicas may share a store:
/// every commit carries the job version it was decided from, a stale one is refused and decided again from a
/// fresh read, so each job advances through exactly one replica's decision at a time.
/// </summary>
public sealed class Orchestrator(
    IJobStore store,
    IMessageBus bus,
    SubmissionValidator validator,
    JobEventNotifier notifier,
    IOptions<JobApiOptions> options,
    TimeProvider time,
    ILogger<Orchestrator> logger,
    Webhooks.WebhookSender? webhooks = null,
    IOptions<QuotaOptions>? quotaOptions = null,
    QueueDepth? queueDepth = null) : IDisposable
{
    private const int MaxConflictRetries = 5;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<Task>> _outbox = new();
    private readonly JobApiOptions _options = options.Value;
    private readonly QuotaOptions _quotas = quotaOptions?.Value ?? new QuotaOptions();
    private static readonly TimeSpan QueueCountInterval = TimeSpan.FromSeconds(5);
    private DateTimeOffset _queueCountedAt = DateTimeOffset.MinValue;

    public async Task<JobRecord> SubmitAsync(SubmitJobRequest request, string tenant, CancellationToken cancellationToken, string fieldPrefix = "")
    {
        var valid = await validator.ValidateAsync(request, tenant, fieldPrefix, cancellationToken);
        var hash = RequestHash.Compute(request, valid.SourceIdentity);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // A conflict here means another replica stored the same idempotency key first: the retry finds it.
            return await RetryOnConflictAsync(() => SubmitValidAsync(request, tenant, valid, hash, cancellationToken));
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task<JobRecord> SubmitValidAsync(SubmitJobRequest request, string tenant, ValidSubmission valid, string hash, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey.Length > 0 && await store.FindByIdempotencyKeyAsync(tenant, request.IdempotencyKey, cancellationToken) is { } existing)
        {
            return existing.RequestHash == hash
                ? existing
                : throw new ConflictException($"Idempotency key '{request.IdempotencyKey}' was already used for a different request (job {existing.Id}).");
        }

        var now = time.GetUtcNow();
        await CheckQuotasAsync(tenant, now, cancellationToken);
        var admit = await store.CountAdmittedJobsAsync(tenant, cancellationToken) < _quotas.RunningJobsFor(tenant);
        var jobId = NewJobId(now);
        var job = new JobRecord
        {
            Id = jobId,
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
            CreatedAt = now,
            UpdatedAt = now,
        };

        var stages = JobPlanner.Expand(jobId, valid.Pattern, job.OutputsWanted);
        var changes = new JobChanges(job, isNew: true);
        changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Queued }));
        var toDispatch = new List<StageRecord>();
        foreach (var stage in stages)
        {
            if (admit && stage.DependsOn.Count == 0)
            {
                var dispatched = Dispatched(stage, now);
                toDispatch.Add(dispatched);
                changes.Stages.Add(dispatched);
                changes.Events.Add(StageEventFor(dispatched));
            }
            else
            {
                changes.Stages.Add(stage);
            }
        }

        await CommitAsync(changes, cancellationToken);
        if (request.PublishAt is not null)
        {
            await store.PutPublicationAsync(new PublicationRecord(jobId, tenant, Publishing.PublicationRules.Scheduled(request.PublishAt, request.Destinations)), cancellationToken);
        }

        FarmTelemetry.JobsSubmitted.Add(1, new KeyValuePair<string, object?>("priority", PriorityName(job.Priority)));
        logger.LogInformation("Job {JobId} accepted: pattern {Pattern}, {StageCount} stages, priority {Priority}{Held}", jobId, job.PatternName, stages.Count, job.Priority, admit ? string.Empty : " (held: the tenant is at its running-jobs allowance)");
        QueueDispatches(changes.Job, toDispatch);
        return changes.Job;
    }

    private async Task CountQueueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (queueDepth is null || now - _queueCountedAt < QueueCountInterval)
        {
            return;
        }

        _queueCountedAt = now;
        var (dispatched, held) = await store.GetQueueDepthAsync(cancellationToken);
        var depth = new[] { Topics.CpuPool, Topics.GpuPool }
            .SelectMany(pool => Topics.Priorities.Select(priority => (pool, priority)))
            .ToDictionary(k => k, k => dispatched.Where(d => d.Key.Pool == k.pool && PriorityName(d.Key.Priority) == k.priority).Sum(d => d.Value));
        depth[(Topics.CpuPool, Topics.Held)] = held;
        queueDepth.Set(depth);
    }

    /// <summary>Admits a tenant's held jobs while it is under its running-jobs allowance (after a job ends, and by the sweep).</summary>
    public async Task AdmitHeldAsync(string tenant, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Most finishing jobs leave nothing held behind: one query answers that, the count only when there is.
            var allowance = _quotas.RunningJobsFor(tenant);
            var held = await store.GetHeldJobIdsAsync(tenant, allowance, cancellationToken);
            var room = held.Count == 0 ? 0 : allowance - await store.CountAdmittedJobsAsync(tenant, cancellationToken);
            foreach (var jobId in held.Take(Math.Max(0, room)))
            {
                try
                {
                    await RetryOnConflictAsync(() => AdmitAsync(jobId, cancellationToken));
                }
                catch (ConcurrentChangeException)
                {
                    logger.LogDebug("Job {JobId} changed elsewhere while being admitted", jobId);
                }
            }
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task<bool> AdmitAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await store.GetJobAsync(jobId, cancellationToken);
        var stages = job is null ? [] : await store.GetStagesAsync(jobId, cancellationToken);
        if (job is null || job.State != JobState.Queued || stages.Any(s => s.Attempt > 0))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var changes = new JobChanges(job with { UpdatedAt = now });
        var roots = stages.Where(s => s.DependsOn.Count == 0).Select(s => Dispatched(s, now)).ToList();
        foreach (var root in roots)
        {
            changes.Stages.Add(root);
            changes.Events.Add(StageEventFor(root));
        }

        await CommitAsync(changes, cancellationToken);
        logger.LogInformation("Job {JobId} admitted (tenant {Tenant})", job.Id, job.Tenant);
        QueueDispatches(changes.Job, roots);
        return true;
    }

    private async Task CheckQuotasAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (maxUnfinished, unfinishedKey) = _quotas.UnfinishedJobsFor(tenant);
        var unfinished = await store.CountUnfinishedJobsAsync(tenant, cancellationToken);
        if (unfinished >= maxUnfinished)
        {
            throw new QuotaExceededException(
                unfinishedKey,
                $"The tenant has {unfinished} unfinished jobs; the limit is {maxUnfinished} ({unfinishedKey}). Submit more as jobs finish.");
        }

        var (maxMinutes, minutesKey) = _quotas.SourceMinutesPerDayFor(tenant);
        if (maxMinutes > 0)
        {
            var minutes = await store.SumSourceSecondsAsync(tenant, now.AddDays(-1), cancellationToken) / 60;
            if (minutes >= maxMinutes)
            {
                throw new QuotaExceededException(
                    minutesKey,
                    $"The tenant submitted {minutes:0.#} source minutes in the last 24 hours; the limit is {maxMinutes:0.#} ({minutesKey}).");
            }
        }
    }

    public async Task<JobRecord> CancelAsync(string jobId, string tenant, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await RetryOnConflictAsync(() => CancelOwnedAsync(jobId, tenant, cancellationToken));
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task<JobRecord> CancelOwnedAsync(string jobId, string tenant, CancellationToken cancellationToken)
    {
        var job = await store.GetOwnedJobAsync(jobId, tenant, cancellationToken);
        if (job.State == JobState.Cancelled)
        {
            return job;
        }

        if (job.IsTerminal)
        {
            throw new PreconditionFailedException($"Job {jobId} already {job.State.ToString().ToUpperInvariant()}; only unfinished jobs can be cancelled.");
        }

        var now = time.GetUtcNow();
        var changes = new JobChanges(job with { State = JobState.Cancelled, UpdatedAt = now, FinishedAt = now });
        foreach (var stage in (await store.GetStagesAsync(jobId, cancellationToken)).Where(s => !s.IsTerminal))
        {
            var cancelled = stage with { State = StageState.Cancelled, FinishedAt = now, LeaseExpiresAt = null };
            changes.Stages.Add(cancelled);
            changes.Events.Add(StageEventFor(cancelled));
        }

        changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Cancelled }));
        await CommitAsync(changes, cancellationToken);
        // Committed: the workers must hear it even if this call's client has gone.
        QueueCancel(jobId);
        logger.LogInformation("Job {JobId} cancelled", jobId);
        return changes.Job;
    }

    /// <summary>Runs a failed job again from where it failed (see the RetryJob RPC).</summary>
    public async Task<JobRecord> RetryAsync(string jobId, string tenant, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await RetryOnConflictAsync(() => RetryOwnedAsync(jobId, tenant, cancellationToken));
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task<JobRecord> RetryOwnedAsync(string jobId, string tenant, CancellationToken cancellationToken)
    {
        var job = await store.GetOwnedJobAsync(jobId, tenant, cancellationToken);
        if (job.State != JobState.Failed)
        {
            throw new PreconditionFailedException($"Job {jobId} is {job.State.ToString().ToUpperInvariant()}; only FAILED jobs can be retried.");
        }

        var now = time.GetUtcNow();
        var stages = await store.GetStagesAsync(jobId, cancellationToken);
        var changes = new JobChanges(job with { State = JobState.Queued, Error = null, FinishedAt = null, UpdatedAt = now });
        changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Queued }));
        // Attempt numbers keep counting, so late events of the failed attempts stay ignored.
        var reset = stages.Where(s => s.State is StageState.Failed or StageState.Cancelled)
            .Select(s => s with { State = StageState.Waiting, Failures = 0, Error = null, Progress = 0, WorkerId = string.Empty, LeaseExpiresAt = null, StartedAt = null, FinishedAt = null })
            .ToList();
        var succeeded = stages.Where(s => s.State == StageState.Succeeded).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var ready = new List<StageRecord>();
        foreach (var stage in reset)
        {
            var next = stage.DependsOn.All(succeeded.Contains) ? Dispatched(stage, now) : stage;
            if (next.State == StageState.Dispatched)
            {
                ready.Add(next);
            }

            changes.Stages.Add(next);
            changes.Events.Add(StageEventFor(next));
        }

        changes.Job = changes.Job with { Progress = JobPlanner.OverallProgress(stages.Select(s => changes.Stages.FirstOrDefault(c => c.Id == s.Id) ?? s).ToList()) };
        await CommitAsync(changes, cancellationToken);
        logger.LogInformation("Job {JobId} retried: {Stages} stages run again", jobId, reset.Count);
        QueueDispatches(changes.Job, ready);
        return changes.Job;
    }

    public async Task HandleStageEventAsync(StageEvent stageEvent, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RetryOnConflictAsync(() => ApplyStageEventAsync(stageEvent, cancellationToken));
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task<bool> ApplyStageEventAsync(StageEvent stageEvent, CancellationToken cancellationToken)
    {
        // The job first, then its stage: a commit by another replica in between changes the job's version,
        // so a decision made from a stage read older than the job read can never be committed.
        var job = await store.GetJobAsync(stageEvent.JobId, cancellationToken);
        var stage = job is null ? null : await store.GetStageAsync(stageEvent.StageId, cancellationToken);
        if (stage is null || job is null || stage.JobId != job.Id || job.IsTerminal || stage.IsTerminal || stage.State == StageState.Waiting || stage.Attempt != stageEvent.Attempt
            || (stageEvent.EventCase == StageEvent.EventOneofCase.Started && stage.State == StageState.Running && stage.WorkerId == stageEvent.WorkerId))
        {
            logger.LogDebug("Ignored {EventCase} for stage {StageId} attempt {Attempt} (stale or finished)", stageEvent.EventCase, stageEvent.StageId, stageEvent.Attempt);
            return false;
        }

        var now = time.GetUtcNow();
        var lease = now.AddSeconds(_options.LeaseSeconds);
        switch (stageEvent.EventCase)
        {
            case StageEvent.EventOneofCase.Started:
                await OnStartedAsync(job, stage with { State = StageState.Running, WorkerId = stageEvent.WorkerId, StartedAt = stage.StartedAt ?? now, LeaseExpiresAt = lease }, now, cancellationToken);
                break;
            case StageEvent.EventOneofCase.Progress:
                await OnProgressAsync(job, stage with { State = StageState.Running, WorkerId = stageEvent.WorkerId, Progress = stageEvent.Progress.Fraction, LeaseExpiresAt = lease }, stageEvent.Progress, now, cancellationToken);
                break;
            case StageEvent.EventOneofCase.Completed:
                await OnCompletedAsync(job, stage, stageEvent.Completed, now, cancellationToken);
                break;
            case StageEvent.EventOneofCase.Failed:
                await OnFailedAsync(job, stage, stageEvent.Failed.Error ?? new JobError { Code = "unknown", Message = "The worker reported a failure without details.", Retryable = true }, now, cancellationToken);
                break;
        }

        return true;
    }

    /// <summary>Re-dispatches stages whose lease ran out and stages whose retry delay is over.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        await CountQueueAsync(cancellationToken);

        // Held jobs whose admission was missed (a crash between commit and admit, another replica's finish).
        foreach (var tenant in await store.GetTenantsWithHeldJobsAsync(cancellationToken))
        {
            await AdmitHeldAsync(tenant, cancellationToken);
        }

        var due = await store.GetDueStagesAsync(time.GetUtcNow(), cancellationToken);
        if (due.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var candidate in due)
            {
                try
                {
                    await SweepStageAsync(candidate, cancellationToken);
                }
                catch (ConcurrentChangeException)
                {
                    // Another replica (or an event) moved the job first; the next sweep looks again.
                    logger.LogDebug("Stage {StageId} changed elsewhere during the sweep", candidate.Id);
                }
            }
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task SweepStageAsync(StageRecord candidate, CancellationToken cancellationToken)
    {
        // Re-read under the gate (the job before the stage, see ApplyStageEventAsync): an event may have renewed the lease meanwhile.
        var job = await store.GetJobAsync(candidate.JobId, cancellationToken);
        var stage = job is null ? null : await store.GetStageAsync(candidate.Id, cancellationToken);
        var now = time.GetUtcNow();
        if (stage is null || job is null || job.IsTerminal || stage.LeaseExpiresAt is not { } expiry || expiry > now)
        {
            return;
        }

        if (stage.State == StageState.Waiting)
        {
            logger.LogInformation("Retrying stage {StageId} (failure {Failures})", stage.Id, stage.Failures);
            await RedispatchAsync(job, stage, now, cancellationToken);
        }
        else if (stage.State == StageState.Dispatched)
        {
            // Still queued: the worker acknowledges a dispatch only after reporting it started, so a
            // message taken by a worker that died comes back by itself. Waiting in line is not a failure.
            await CommitAsync(new JobChanges(job) { Stages = { stage with { LeaseExpiresAt = now.AddSeconds(_options.LeaseSeconds) } } }, cancellationToken);
        }
        else if (stage.IsActive)
        {
            logger.LogWarning("Lease of stage {StageId} attempt {Attempt} expired (worker {WorkerId} silent)", stage.Id, stage.Attempt, stage.WorkerId);
            var error = new JobError { Code = "lease_expired", Message = $"Worker '{stage.WorkerId}' stopped reporting for {_options.LeaseSeconds} s.", Retryable = true };
            await OnFailedAsync(job, stage, error, now, cancellationToken, retryNow: true);
        }
    }

    /// <summary>
    /// After a restart on a non-durable bus, what was in flight is gone with the old process: dispatch it
    /// again now (new attempt, not counted as a failure) rather than waiting for the leases.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (bus.IsDurable)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var active = await store.GetActiveStagesAsync(cancellationToken);
            foreach (var listed in active)
            {
                var job = await store.GetJobAsync(listed.JobId, cancellationToken);
                var stage = job is null ? null : await store.GetStageAsync(listed.Id, cancellationToken);
                if (job is not null && !job.IsTerminal && stage is { IsActive: true })
                {
                    logger.LogInformation("Recovering stage {StageId} of job {JobId} after restart", stage.Id, job.Id);
                    try
                    {
                        await RedispatchAsync(job, stage, time.GetUtcNow(), cancellationToken);
                    }
                    catch (ConcurrentChangeException)
                    {
                        logger.LogInformation("Stage {StageId} was moved on by another replica; leaving it to that one", stage.Id);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
            await FlushOutboxAsync();
        }
    }

    private async Task OnStartedAsync(JobRecord job, StageRecord stage, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changes = new JobChanges(job with { UpdatedAt = now });
        if (job.State == JobState.Queued)
        {
            changes.Job = changes.Job with { State = JobState.Running };
            changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Running }));
        }

        changes.Stages.Add(stage);
        changes.Events.Add(StageEventFor(stage));
        await CommitAsync(changes, cancellationToken);
    }

    private async Task OnProgressAsync(JobRecord job, StageRecord stage, StageProgress progress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stages = await store.GetStagesAsync(job.Id, cancellationToken);
        var overall = JobPlanner.OverallProgress(stages.Select(s => s.Id == stage.Id ? stage : s));
        var changes = new JobChanges(job with { Progress = overall, UpdatedAt = now });
        changes.Stages.Add(stage);
        changes.Events.Add(NewEvent(e => e.Progress = new JobProgress
        {
            Progress = overall,
            StageId = stage.Id,
            StageProgress = stage.Progress,
            Speed = progress.Speed,
            Fps = progress.Fps,
        }));
        await CommitAsync(changes, cancellationToken);
    }

    private async Task OnCompletedAsync(JobRecord job, StageRecord stage, StageCompleted completed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var done = stage with { State = StageState.Succeeded, Progress = 1, FinishedAt = now, LeaseExpiresAt = null, Error = null };
        if (completed.MediaInfo is not null)
        {
            job = job with { SourceInfo = completed.MediaInfo };
        }

        var stages = (await store.GetStagesAsync(job.Id, cancellationToken)).Select(s => s.Id == done.Id ? done : s).ToList();
        var changes = new JobChanges(job with { UpdatedAt = now, Progress = JobPlanner.OverallProgress(stages) });
        changes.Stages.Add(done);
        changes.Outputs.AddRange(completed.Outputs);
        changes.Events.Add(StageEventFor(done));

        var succeeded = stages.Where(s => s.State == StageState.Succeeded).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var ready = stages.Where(s => s.State == StageState.Waiting && s.Attempt == 0 && s.DependsOn.All(succeeded.Contains))
            .Select(s => Dispatched(s, now))
            .ToList();
        foreach (var next in ready)
        {
            changes.Stages.Add(next);
            changes.Events.Add(StageEventFor(next));
        }

        if (succeeded.Count == stages.Count)
        {
            var outputs = (await store.GetOutputsAsync(job.Id, cancellationToken))
                .Where(o => completed.Outputs.All(c => c.Name != o.Name))
                .Concat(completed.Outputs)
                .ToList();
            changes.Job = changes.Job with { State = JobState.Succeeded, Progress = 1, FinishedAt = now };
            changes.Events.Add(NewEvent(e => e.Result = new JobResult { Outputs = { outputs }, SourceInfo = changes.Job.SourceInfo }));
            changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Succeeded }));
            logger.LogInformation("Job {JobId} succeeded with {OutputCount} outputs", job.Id, outputs.Count);
        }

        await CommitAsync(changes, cancellationToken);
        QueueDispatches(changes.Job, ready);
    }

    private async Task OnFailedAsync(JobRecord job, StageRecord stage, JobError error, DateTimeOffset now, CancellationToken cancellationToken, bool retryNow = false)
    {
        if (error.Code == StageErrorCodes.WorkerStopping)
        {
            // A graceful shutdown hands the stage back; that is not the stage's fault.
            logger.LogInformation("Stage {StageId} handed back by a stopping worker; dispatching it again", stage.Id);
            await RedispatchAsync(job, stage, now, cancellationToken);
            return;
        }

        var failures = stage.Failures + 1;
        FarmTelemetry.StageFailures.Add(1, new("kind", stage.Kind.ToString().ToLowerInvariant()), new("code", error.Code), new("retryable", error.Retryable));
        var changes = new JobChanges(job with { UpdatedAt = now });
        if (error.Retryable && failures < _options.MaxAttempts)
        {
            var retryAt = retryNow ? now : now + Backoff(failures);
            var waiting = stage with { State = StageState.Waiting, Failures = failures, Error = error, LeaseExpiresAt = retryAt, Progress = 0 };
            changes.Stages.Add(waiting);
            changes.Events.Add(StageEventFor(stage with { State = StageState.Failed, Error = error }));
            logger.LogWarning("Stage {StageId} failed ({Code}: {Message}); retry {Failures}/{Max} at {RetryAt}", stage.Id, error.Code, error.Message, failures, _options.MaxAttempts - 1, retryAt);
            await CommitAsync(changes, cancellationToken);
            if (retryNow)
            {
                await RedispatchAsync(changes.Job, waiting, now, cancellationToken);
            }

            return;
        }

        var failed = stage with { State = StageState.Failed, Failures = failures, Error = error, FinishedAt = now, LeaseExpiresAt = null };
        changes.Stages.Add(failed);
        changes.Events.Add(StageEventFor(failed));
        foreach (var other in (await store.GetStagesAsync(job.Id, cancellationToken)).Where(s => s.Id != stage.Id && !s.IsTerminal))
        {
            var cancelled = other with { State = StageState.Cancelled, FinishedAt = now, LeaseExpiresAt = null };
            changes.Stages.Add(cancelled);
            changes.Events.Add(StageEventFor(cancelled));
        }

        var jobError = error.Clone();
        jobError.Retryable = error.Retryable;
        changes.Job = changes.Job with { State = JobState.Failed, FinishedAt = now, Error = jobError };
        changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Failed, Error = jobError }));
        logger.LogWarning("Job {JobId} failed in stage {StageId}: {Code}: {Message}", job.Id, stage.Id, error.Code, error.Message);
        await CommitAsync(changes, cancellationToken);
        QueueCancel(job.Id);
        if (error.Retryable)
        {
            QueueDeadLetter(new DeadLetter { JobId = job.Id, Tenant = job.Tenant, StageId = stage.Id, Kind = stage.Kind, Failures = failures, Error = jobError, FailedAt = Timestamp.FromDateTimeOffset(now) });
        }
    }

    private async Task RedispatchAsync(JobRecord job, StageRecord stage, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dispatched = Dispatched(stage, now);
        var changes = new JobChanges(job with { UpdatedAt = now });
        changes.Stages.Add(dispatched);
        changes.Events.Add(StageEventFor(dispatched));
        await CommitAsync(changes, cancellationToken);
        QueueDispatches(changes.Job, [dispatched]);
    }

    private StageRecord Dispatched(StageRecord stage, DateTimeOffset now) => stage with
    {
        State = StageState.Dispatched,
        Attempt = stage.Attempt + 1,
        Progress = 0,
        WorkerId = string.Empty,
        LeaseExpiresAt = now.AddSeconds(_options.LeaseSeconds),
    };

    // Bus messages are queued while a transition holds the gate and sent after it is released: a slow or
    // unreachable bus (a Kafka outage) must not stall every other job's transitions behind one publish.
    // Published after the commit: if the process dies in between, the stored lease expires and the stage is
    // dispatched again. Nothing depends on the publish succeeding.
    private void QueueDispatches(JobRecord job, IReadOnlyList<StageRecord> stages)
    {
        if (stages.Count > 0)
        {
            _outbox.Enqueue(() => PublishDispatchesAsync(job, stages, CancellationToken.None));
        }
    }

    private void QueueCancel(string jobId) => _outbox.Enqueue(async () =>
    {
        try
        {
            await bus.PublishAsync(new BusMessage(Topics.Control, jobId, new ControlMessage { Cancel = new CancelStage { JobId = jobId } }.ToByteArray()), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Workers still stop: the job is terminal, so their next event is ignored and their lease is gone.
            logger.LogWarning(ex, "Could not tell workers to stop job {JobId}", jobId);
        }
    });

    private void QueueDeadLetter(DeadLetter letter) => _outbox.Enqueue(async () =>
    {
        try
        {
            await bus.PublishAsync(new BusMessage(Topics.DeadLetter, letter.JobId, letter.ToByteArray()), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The job itself records the failure (dead_lettered); the topic is a notification for operators.
            logger.LogWarning(ex, "Could not publish the dead letter of job {JobId}", letter.JobId);
        }
    });

    private async Task FlushOutboxAsync()
    {
        while (_outbox.TryDequeue(out var send))
        {
            await send();
        }
    }

    private async Task PublishDispatchesAsync(JobRecord job, IReadOnlyList<StageRecord> stages, CancellationToken cancellationToken)
    {
        foreach (var stage in stages)
        {
            var dispatch = new StageDispatch
            {
                JobId = job.Id,
                StageId = stage.Id,
                Kind = stage.Kind,
                Attempt = stage.Attempt,
                SourceKey = job.SourceKey,
                PatternDocument = job.PatternDocument,
                Parameters = { new Dictionary<string, string>(job.Parameters) },
                Templates = { new Dictionary<string, string>(job.Templates) },
                OutputName = stage.OutputName,
                OutputPrefix = TenantKeys.JobOutputs(job.Tenant, job.Id),
                SourceInfo = job.SourceInfo ?? new MediaInfo(),
                LeaseSeconds = _options.LeaseSeconds,
                Tenant = job.Tenant,
            };
            try
            {
                using var activity = FarmTelemetry.Source.StartActivity("dispatch " + stage.Kind.ToString().ToLowerInvariant(), System.Diagnostics.ActivityKind.Producer);
                activity?.SetTag("media.job_id", job.Id).SetTag("media.stage_id", stage.Id).SetTag("media.attempt", stage.Attempt);
                await bus.PublishAsync(new BusMessage(Topics.Stages(stage.Pool, PriorityName(job.Priority)), job.Id, dispatch.ToByteArray()), cancellationToken);
            }
            catch (Exception ex)
            {
                // The bus is unreachable: park the stage as a due retry (not a failure); the sweeper publishes it again.
                logger.LogWarning(ex, "Could not publish stage {StageId}; retrying in 2 s", stage.Id);
                await ParkUnpublishedAsync(stage);
            }
        }
    }

    private Task ParkUnpublishedAsync(StageRecord unpublished) => RetryOnConflictAsync(async () =>
    {
        var job = await store.GetJobAsync(unpublished.JobId, CancellationToken.None);
        var stage = await store.GetStageAsync(unpublished.Id, CancellationToken.None);
        if (job is null || job.IsTerminal || stage is null || stage.Attempt != unpublished.Attempt || stage.State != StageState.Dispatched)
        {
            return false;
        }

        await store.CommitAsync(new JobChanges(job) { Stages = { stage with { State = StageState.Waiting, LeaseExpiresAt = time.GetUtcNow().AddSeconds(2) } } }, CancellationToken.None);
        return true;
    });

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
                logger.LogDebug(ex, "Concurrent change; deciding again (try {Attempt})", attempt + 1);
            }
        }
    }

    private async Task CommitAsync(JobChanges changes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var jobEvent in changes.Events)
        {
            jobEvent.Time ??= Timestamp.FromDateTimeOffset(now);
        }

        await store.CommitAsync(changes, cancellationToken);
        notifier.Notify(changes.Job.Id);
        if (changes.Job.IsTerminal && changes.Events.Any(e => e.StateChanged is not null))
        {
            FarmTelemetry.JobsFinished.Add(1, new KeyValuePair<string, object?>("state", changes.Job.State.ToString().ToLowerInvariant()));
            if (!string.IsNullOrEmpty(changes.Job.WebhookUrl))
            {
                webhooks?.JobFinished(changes.Job.Id);
            }

            // A slot of the tenant's allowance is free: its next held job goes (after the gate is released).
            var tenant = changes.Job.Tenant;
            _outbox.Enqueue(async () =>
            {
                try
                {
                    await AdmitHeldAsync(tenant, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // The sweep admits it instead; the transition that freed the slot has succeeded.
                    logger.LogWarning(ex, "Admitting held jobs of tenant {Tenant} failed", tenant);
                }
            });
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var baseDelay = TimeSpan.FromMilliseconds(_options.RetryBaseDelayMilliseconds);
        var exponential = baseDelay * Math.Pow(2, failures - 1);
        var capped = exponential > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : exponential;
        return capped * (0.8 + 0.4 * Random.Shared.NextDouble());
    }

    public void Dispose() => _gate.Dispose();

    public static string PriorityName(Priority priority) => priority switch
    {
        Priority.High => "high",
        Priority.Bulk => "bulk",
        _ => "normal",
    };

    private static JobEvent NewEvent(Action<JobEvent> fill)
    {
        var jobEvent = new JobEvent();
        fill(jobEvent);
        return jobEvent;
    }

    private static JobEvent StageEventFor(StageRecord stage) => NewEvent(e => e.StageChanged = new StageChanged
    {
        StageId = stage.Id,
        Kind = stage.Kind,
        State = stage.State,
        Attempt = stage.Attempt,
        OutputName = stage.OutputName,
        WorkerId = stage.WorkerId,
        Error = stage.Error,
    });

    // Sortable by creation time, unguessable enough to not enumerate.
    private static string NewJobId(DateTimeOffset now) =>
        $"job_{now:yyyyMMddHHmmss}_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}";
}
