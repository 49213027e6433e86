using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>Jobs with their stages, events and outputs: the aggregate the orchestrator commits and the job views read.</summary>
public interface IJobStore
{
    /// <summary>Writes a transition atomically; returns the events with their assigned sequence numbers.</summary>
    /// <exception cref="ConcurrentChangeException">The job's version moved since it was read; nothing was written.</exception>
    Task<IReadOnlyList<JobEvent>> CommitAsync(JobChanges changes, CancellationToken cancellationToken);

    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken);

    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<StageRecord>> GetStagesAsync(string jobId, CancellationToken cancellationToken);

    Task<StageRecord?> GetStageAsync(string stageId, CancellationToken cancellationToken);

    /// <summary>Stages, outputs and publications of many jobs (a page of ListJobs) in one query each, by job id.</summary>
    Task<IReadOnlyDictionary<string, JobDetails>> GetJobDetailsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken);

    Task<IReadOnlyList<Output>> GetOutputsAsync(string jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobEvent>> GetEventsAsync(string jobId, long afterSequence, int limit, CancellationToken cancellationToken);
}
