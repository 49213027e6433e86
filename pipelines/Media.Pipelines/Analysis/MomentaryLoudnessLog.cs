using System.Globalization;

namespace Media.Pipelines.Analysis;

/// <summary>
/// Reads what ametadata printed after ebur128 ("frame:N pts:P pts_time:T" then "lavfi.r128.M=-23.1" per audio
/// frame) into momentary loudness every <see cref="StepSeconds"/>: at each step, the value of the last frame
/// at or before it.
/// </summary>
public static class MomentaryLoudnessLog
{
    public const double StepSeconds = 0.1;

    public static LoudnessAnalysis Parse(IEnumerable<string> lines, double durationSeconds)
    {
        var momentary = Sample(Points(lines), 0, 0, (int)Math.Floor((durationSeconds + 1e-9) / StepSeconds));
        var analysis = new LoudnessAnalysis(double.NaN, StepSeconds, momentary);
        var integrated = LoudnessMath.Integrated(analysis);
        return analysis with { IntegratedLufs = double.IsNaN(integrated) ? -120 : Math.Round(integrated, 2) };
    }

    /// <summary>The (time, momentary LUFS) pairs the log holds, in its own time (silence as -120).</summary>
    public static List<(double Time, double Lufs)> Points(IEnumerable<string> lines)
    {
        var points = new List<(double Time, double Lufs)>();
        double? time = null;
        foreach (var line in lines)
        {
            var at = line.IndexOf("pts_time:", StringComparison.Ordinal);
            if (at >= 0)
            {
                time = double.TryParse(line.AsSpan(at + 9).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : null;
            }
            else if (time is { } t && line.StartsWith("lavfi.r128.M=", StringComparison.Ordinal))
            {
                // Silence prints as -inf.
                var value = line.AsSpan(13).Trim();
                points.Add((t, double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var lufs) && double.IsFinite(lufs) ? lufs : -120));
            }
        }

        return points;
    }

    /// <summary>
    /// The momentary loudness at steps firstStep … firstStep + count - 1 of the source's clock (step i ends at
    /// (i + 1) × <see cref="StepSeconds"/>), from a log whose time 0 is <paramref name="offsetSeconds"/> into the source.
    /// </summary>
    public static double[] Sample(IReadOnlyList<(double Time, double Lufs)> points, double offsetSeconds, int firstStep, int count)
    {
        var momentary = new double[Math.Max(0, count)];
        var p = 0;
        for (var i = 0; i < momentary.Length; i++)
        {
            var stepEnd = ((firstStep + i + 1) * StepSeconds) - offsetSeconds;
            while (p + 1 < points.Count && points[p + 1].Time <= stepEnd + 1e-6)
            {
                p++;
            }

            momentary[i] = points.Count == 0 || points[p].Time > stepEnd + 1e-6 ? -120 : points[p].Lufs;
        }

        return momentary;
    }
}
