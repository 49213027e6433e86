using Media.Protos.V1;

namespace Media.JobApi.Orchestration.Machine;

/// <summary>Something that may move a job on: a client's command, a worker's event or a tick of a sweep.</summary>
public abstract record JobInput
{
    /// <summary>Whether the decision reads the job's outputs (the shell loads them only then).</summary>
    public virtual bool NeedsOutputs => false;
}

/// <summary>A held job gets its turn: its first stages are dispatched.</summary>
public sealed record AdmitJob : JobInput;

/// <summary>The client cancels the job.</summary>
public sealed record CancelJob : JobInput;

/// <summary>The client runs a failed job again from where it failed.</summary>
public sealed record RetryJob : JobInput;

/// <summary>A worker reports on a stage (started, progress, completed, failed).</summary>
public sealed record ApplyStageEvent(StageEvent Event) : JobInput
{
    public override bool NeedsOutputs => Event.EventCase == StageEvent.EventOneofCase.Completed;
}

/// <summary>A sweep found the stage's lease (or its retry delay) over.</summary>
public sealed record SweepStage(string StageId) : JobInput;

/// <summary>After a restart on a bus that keeps nothing: what was in flight is dispatched again.</summary>
public sealed record RecoverStage(string StageId) : JobInput;

/// <summary>
/// A client revised an output ("vertical", "vertical-clip2") from its revision <paramref name="BaseRevision"/>; the edited
/// plan is stored at <paramref name="PlanKey"/>. A new render stage renders it as the next revision: in parts on any
/// workers when the revised output's edit is <paramref name="SplittableSeconds"/> long (0: it cannot be rendered in
/// parts) and that is over the farm's threshold.
/// </summary>
public sealed record ReviseOutput(string Output, int BaseRevision, string PlanKey, double SplittableSeconds = 0) : JobInput;

/// <summary>The dispatch of this attempt could not be published: the stage waits and the sweep tries again.</summary>
public sealed record ParkStage(string StageId, int Attempt) : JobInput;

/// <summary>A dispatch committed long ago and never confirmed on the bus (its publisher died): publish it again if it still stands.</summary>
public sealed record RepublishDispatch(string StageId, int Attempt) : JobInput;
