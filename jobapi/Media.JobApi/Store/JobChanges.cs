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
}
