using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>Everything one state transition writes, committed in one transaction.</summary>
public sealed class JobChanges(JobRecord job, bool isNew = false)
{
    public JobRecord Job { get; set; } = job;

    public bool IsNew { get; } = isNew;

    public List<StageRecord> Stages { get; } = [];

    public List<Output> Outputs { get; } = [];

    /// <summary>Events to append; the store assigns their sequence numbers.</summary>
    public List<JobEvent> Events { get; } = [];

    /// <summary>
    /// Stages this transition dispatches, recorded as unpublished in the same transaction (an outbox) until the bus
    /// confirms them, so a replica that dies between this commit and the publish leaves a record another replica acts on.
    /// </summary>
    public List<StageRecord> Unpublished { get; } = [];

    /// <summary>
    /// Set when the job ends: from this time the leftover sweep may delete what runs left in the job's run folders that
    /// the record does not name (killed mid-upload, outputs replaced by a retry). Recorded in the same transaction, so
    /// no ended job is missed; a job that ends again (a revision) moves the time.
    /// </summary>
    public DateTimeOffset? TidyRunsAt { get; set; }
}
