using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>What a job view needs besides the job row: its stages, outputs and publication.</summary>
public sealed record JobDetails(IReadOnlyList<StageRecord> Stages, IReadOnlyList<Output> Outputs, PublicationRecord? Publication)
{
    public static readonly JobDetails None = new([], [], null);
}
