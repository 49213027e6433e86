using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration.Machine;

/// <summary>What the state machine decides from: a job as read (its version included), its stages and, when asked for, its outputs.</summary>
public sealed record JobSnapshot(JobRecord Job, IReadOnlyList<StageRecord> Stages, IReadOnlyList<Output> Outputs)
{
    public StageRecord? Stage(string stageId) => Stages.FirstOrDefault(s => s.Id == stageId);
}
