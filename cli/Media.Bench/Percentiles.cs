namespace Media.Bench;

internal static class Percentiles
{
    /// <summary>Nearest-rank percentile of already collected samples.</summary>
    public static double Of(IReadOnlyList<double> samples, double percentile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> samples) => Of(samples, 50);
}
