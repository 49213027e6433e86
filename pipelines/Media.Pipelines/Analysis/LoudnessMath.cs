namespace Media.Pipelines.Analysis;

/// <summary>ITU-R BS.1770-4 gating over momentary (400 ms block) loudness values.</summary>
public static class LoudnessMath
{
    private const double AbsoluteGate = -70;
    private const double RelativeGate = -10;

    /// <summary>Integrated loudness of the blocks that lie wholly inside <paramref name="ranges"/> (all blocks when null); NaN when all are silent.</summary>
    public static double Integrated(LoudnessAnalysis loudness, IReadOnlyList<TimeRange>? ranges = null)
    {
        var blocks = new List<double>();
        for (var i = 0; i < loudness.Momentary.Count; i++)
        {
            var end = (i + 1) * loudness.StepSeconds;
            if (end < 0.4 - 1e-9)
            {
                continue; // not a full 400 ms block yet
            }

            if (ranges is null || ranges.Any(r => end - 0.4 >= r.Start - 1e-6 && end <= r.End + 1e-6))
            {
                blocks.Add(loudness.Momentary[i]);
            }
        }

        return Integrated(blocks);
    }

    public static double Integrated(IReadOnlyCollection<double> blockLoudness)
    {
        var audible = blockLoudness.Where(l => l > AbsoluteGate).ToList();
        if (audible.Count == 0)
        {
            return double.NaN;
        }

        var threshold = ToLufs(audible.Average(ToPower)) + RelativeGate;
        var gated = audible.Where(l => l > threshold).ToList();
        return ToLufs(gated.Average(ToPower));
    }

    private static double ToPower(double lufs) => Math.Pow(10, (lufs + 0.691) / 10);

    private static double ToLufs(double power) => -0.691 + (10 * Math.Log10(power));
}
