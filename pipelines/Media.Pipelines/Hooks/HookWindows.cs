namespace Media.Pipelines.Hooks;

/// <summary>Per window of <see cref="StepSeconds"/>: the features, the hook score and each feature's contribution to it.</summary>
public sealed record HookWindows(string Model, double StepSeconds, float[][] Features, float[] Scores, float[][] Contributions)
{
    /// <summary>Window indexes covering [start, end).</summary>
    public IEnumerable<int> Range(double start, double end)
    {
        var from = Math.Clamp((int)(start / StepSeconds), 0, Scores.Length);
        var to = Math.Clamp((int)Math.Ceiling(end / StepSeconds), from, Scores.Length);
        return Enumerable.Range(from, to - from);
    }

    public double MeanScore(double start, double end) => Range(start, end).Select(i => (double)Scores[i]).DefaultIfEmpty(0).Average();

    /// <summary>Mean of each feature column (or contribution column) over [start, end), by feature name.</summary>
    public IReadOnlyDictionary<string, double> Mean(float[][] columns, double start, double end)
    {
        var windows = Range(start, end).ToList();
        return HookFeatures.Names
            .Select((name, f) => (name, value: windows.Count == 0 ? 0 : Math.Round(windows.Average(i => columns[i][f]), 4)))
            .ToDictionary(p => p.name, p => p.value, StringComparer.Ordinal);
    }
}
