using Media.JobApi.Store;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Orchestration.Machine;

/// <summary>What must happen once a decision is committed. The shell carries effects out after the commit, outside its lock.</summary>
public abstract record JobEffect;

/// <summary>Publish these stages to their pools' topics.</summary>
public sealed record DispatchStages(JobRecord Job, IReadOnlyList<StageRecord> Stages) : JobEffect;

/// <summary>Tell every worker to stop what it runs for the job.</summary>
public sealed record StopWork(string JobId) : JobEffect;

/// <summary>Tell workers to stop runs of the stage up to this attempt: the stage no longer needs them.</summary>
public sealed record StopStaleRun(JobRecord Job, string StageId, int UpToAttempt) : JobEffect
{
    public string JobId => Job.Id;
}

/// <summary>Tell operators on the dead-letter topic: the job failed after the last retry of a transient error.</summary>
public sealed record SendDeadLetter(DeadLetter Letter) : JobEffect;

/// <summary>A job was accepted (metrics).</summary>
public sealed record JobAccepted(JobRecord Job) : JobEffect;

/// <summary>The job reached a terminal state: its webhook fires, a slot of its tenant's allowance is free, metrics count it.</summary>
public sealed record JobFinished(JobRecord Job) : JobEffect;

/// <summary>A stage failed (metrics); <paramref name="WillRetry"/> when another attempt follows.</summary>
public sealed record StageFailed(StageRecord Stage, JobError Error, bool WillRetry) : JobEffect;

/// <summary>A line for the log: what was decided and why (message template and its arguments).</summary>
public sealed record LogNote(LogLevel Level, string Template, params object?[] Arguments) : JobEffect;

/// <summary>A run's outputs that the job will not hold (its completion was stale): delete those the record does not name.</summary>
public sealed record DiscardOutputs(JobRecord Job, IReadOnlyList<string> Keys) : JobEffect;

/// <summary>
/// Render parts no render stage will join (the parts of a revision that failed, superseded by the next): their manifests,
/// videos, bookend pictures and sound are deleted.
/// </summary>
public sealed record DiscardRenderParts(JobRecord Job, IReadOnlyList<string> StageIds) : JobEffect;
