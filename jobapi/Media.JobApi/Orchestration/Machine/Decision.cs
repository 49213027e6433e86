using Media.JobApi.Store;

namespace Media.JobApi.Orchestration.Machine;

/// <summary>
/// What the state machine decided: the changes to commit (none when the input changes nothing), the effects to carry out
/// after the commit, and the job as the caller should see it afterwards.
/// </summary>
public sealed record Decision(JobRecord Job, JobChanges? Changes, IReadOnlyList<JobEffect> Effects)
{
    /// <summary>Nothing to do: a stale event, a lease renewed meanwhile, a job already gone.</summary>
    public static Decision None(JobRecord job, params JobEffect[] notes) => new(job, null, notes);
}
