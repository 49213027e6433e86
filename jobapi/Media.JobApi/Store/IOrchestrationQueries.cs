using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>What the orchestrator's sweeps and admission ask across all jobs.</summary>
public interface IOrchestrationQueries
{
    /// <summary>Stages of unfinished jobs that need the orchestrator: leases run out or retries due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<StageRecord>> GetDueStagesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Dispatched or running stages of unfinished jobs (to re-dispatch after a restart on a non-durable bus).</summary>
    Task<IReadOnlyList<StageRecord>> GetActiveStagesAsync(CancellationToken cancellationToken);

    /// <summary>A tenant's jobs that are not finished (queued or running, admitted or held).</summary>
    Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>A tenant's unfinished jobs that are not held (their stages have been dispatched).</summary>
    Task<int> CountAdmittedJobsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Held jobs in admission order: priority (high first), then oldest first.</summary>
    Task<IReadOnlyList<string>> GetHeldJobIdsAsync(string tenant, int limit, CancellationToken cancellationToken);

    /// <summary>Tenants that have held jobs (for the sweep that admits them when there is room).</summary>
    Task<IReadOnlyList<string>> GetTenantsWithHeldJobsAsync(CancellationToken cancellationToken);

    /// <summary>Stages dispatched and not yet started, per pool and job priority, and the number of held jobs (metrics).</summary>
    Task<(IReadOnlyDictionary<(string Pool, Priority Priority), long> Dispatched, long Held)> GetQueueDepthAsync(CancellationToken cancellationToken);

    /// <summary>Dispatches recorded as unpublished before <paramref name="before"/>: their publisher died or never confirmed them.</summary>
    Task<IReadOnlyList<UnpublishedDispatch>> GetUnpublishedDispatchesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets an unpublished dispatch: the bus confirmed it, or its stage has moved on.</summary>
    Task ForgetUnpublishedDispatchAsync(string stageId, int attempt, CancellationToken cancellationToken);

    /// <summary>
    /// Has the leftover sweep look at the job's run folders (again) from <paramref name="dueAt"/>: a stale run left
    /// objects after the job ended. Only the retention sweep acts on it, and only while the job has ended.
    /// </summary>
    Task ScheduleRunTidyAsync(string jobId, string tenant, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>Total probed source duration of a tenant's jobs created since <paramref name="since"/> (daily minutes quota).</summary>
    Task<double> SumSourceSecondsAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>A dispatch committed but not confirmed published (see <see cref="JobChanges.Unpublished"/>).</summary>
public sealed record UnpublishedDispatch(string JobId, string StageId, int Attempt);
