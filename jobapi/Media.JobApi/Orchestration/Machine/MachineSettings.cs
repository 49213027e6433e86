namespace Media.JobApi.Orchestration.Machine;

/// <summary>The settings a decision depends on (Media:JobApi).</summary>
public sealed record MachineSettings(int LeaseSeconds, int MaxAttempts, int RetryBaseDelayMilliseconds, double AnalysisChunkAfterSeconds = 0, double AnalysisChunkSeconds = 120,
    double RenderChunkAfterSeconds = 0, double RenderChunkSeconds = 120, bool RenderVariantsTogether = true)
{
    public static MachineSettings From(JobApiOptions options) =>
        new(options.LeaseSeconds, options.MaxAttempts, options.RetryBaseDelayMilliseconds, options.AnalysisChunkAfterSeconds, options.AnalysisChunkSeconds,
            options.RenderChunkAfterSeconds, options.RenderChunkSeconds, options.RenderVariantsTogether);
}

/// <summary>The time of a decision, and a number in [0, 1) that spreads retries (jitter) so the decision stays a pure function.</summary>
public readonly record struct DecisionTime(DateTimeOffset Now, double Jitter = 0.5);
