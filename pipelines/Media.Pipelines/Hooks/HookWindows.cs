namespace Media.Pipelines.Hooks;

/// <summary>Per window of <see cref="HookFeatures.StepSeconds"/>: the features, the hook score and each feature's contribution to it.</summary>
public sealed record HookWindows(string Model, double StepSeconds, float[][] Features, float[] Scores, float[][] Contributions)
{
    public double MeanScore(double start, double end) => HookFeatures.Windows(Scores.Length, start, end).Select(i => (double)Scores[i]).DefaultIfEmpty(0).Average();
}
