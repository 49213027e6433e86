namespace Media.Pipelines.Hooks;

/// <summary>The hook score (0..1) of every <see cref="StepSeconds"/> window of the source, and the model version that scored them.</summary>
public sealed record HookAnalysis(string Model, double StepSeconds, IReadOnlyList<float> Scores);
