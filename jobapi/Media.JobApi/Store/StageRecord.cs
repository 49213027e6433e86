using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>One node of a job's stage graph as stored.</summary>
public sealed record StageRecord
{
    public required string Id { get; init; }

    public required string JobId { get; init; }

    public required StageKind Kind { get; init; }

    public StageState State { get; init; } = StageState.Waiting;

    /// <summary>The name of what the stage stores ("vertical", or "vertical-clip2" for a fan-out clip).</summary>
    public string OutputName { get; init; } = string.Empty;

    /// <summary>Render stages: the pattern's output it makes ("vertical").</summary>
    public string PatternOutput { get; init; } = string.Empty;

    /// <summary>Render stages of a fan-out output: which clip (1 = best); 0 otherwise.</summary>
    public int Clip { get; init; }

    /// <summary>Render stages: 1 for the output's first render, 2, 3, … for revisions (Jobs.ReviseOutput).</summary>
    public int Revision { get; init; } = 1;

    /// <summary>Revisions: where the edit plan to render is stored.</summary>
    public string PlanKey { get; init; } = string.Empty;

    /// <summary>Analyze-chunk stages: the part of the source (seconds) they measure.</summary>
    public double? RangeStart { get; init; }

    public double? RangeEnd { get; init; }

    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>
    /// First renders of outputs that share an edit (one decode for several variants): the pattern outputs this stage's
    /// ffmpeg also makes. Their own stages have <see cref="RenderedBy"/> set to this one and succeed with it.
    /// </summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>A variant's render stage: the stage whose ffmpeg makes this output (never dispatched itself).</summary>
    public string RenderedBy { get; init; } = string.Empty;

    /// <summary>Dispatch count; events carrying another attempt are stale.</summary>
    public int Attempt { get; init; }

    /// <summary>Failures and expired leases so far (a restart's re-dispatch is not one).</summary>
    public int Failures { get; init; }

    public double Progress { get; init; }

    public string WorkerId { get; init; } = string.Empty;

    /// <summary>Dispatched/running: when the lease runs out. Waiting after a failure: when to retry.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public JobError? Error { get; init; }

    /// <summary>The worker pool that runs it ("cpu", or "gpu" for renders of outputs that ask for GPU encoding).</summary>
    public string Pool { get; init; } = "cpu";

    public bool IsTerminal => State.IsTerminal();

    public bool IsActive => State.IsActive();
}
