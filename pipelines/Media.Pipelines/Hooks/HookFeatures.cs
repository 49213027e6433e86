using Media.Pipelines.Analysis;

namespace Media.Pipelines.Hooks;

/// <summary>
/// Turns a source's analysis into one feature row per <see cref="StepSeconds"/> window. Every feature is scaled to
/// about 0..1 so that weights are comparable and the default model's weights can be read as "how much this
/// matters". Missing measurements (no faces measured, no words) give zeros, never an error. Pure.
/// </summary>
public static class HookFeatures
{
    public const double StepSeconds = 0.5;

    /// <summary>The feature order of every row and of every scorer model (stored in the model, checked at load).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "speech", "speech_onset", "loudness", "loudness_jump", "scene_cut", "motion",
        "face", "face_size", "face_centered", "face_count", "speech_rate",
        "question", "second_person", "number", "superlative", "imperative",
    ];

    public static float[][] Extract(SourceAnalysis analysis)
    {
        var count = Math.Max(1, (int)Math.Ceiling(analysis.DurationSeconds / StepSeconds));
        var rows = new float[count][];
        var speech = analysis.Speech?.Segments ?? [];
        var cuts = analysis.SceneCuts ?? [];
        var words = analysis.Transcript?.Words ?? [];
        var cues = TranscriptCues.Of(words);
        for (var i = 0; i < count; i++)
        {
            var start = i * StepSeconds;
            var end = start + StepSeconds;
            var row = new float[Names.Count];
            row[0] = (float)(speech.Sum(s => Overlap(s.Start, s.End, start, end)) / StepSeconds);
            row[1] = speech.Any(s => s.Start >= start - 0.25 && s.Start < end) ? 1 : 0;
            (row[2], row[3]) = Loudness(analysis.Loudness, start, end);
            row[4] = cuts.Any(c => c >= start - 0.25 && c < end + 0.25) ? 1 : 0;
            (row[5], row[6], row[7], row[8], row[9]) = Visual(analysis, start, end);

            var inWindow = Enumerable.Range(0, words.Count).Where(w => words[w].End > start - 0.5 && words[w].Start < end + 0.5).ToList();
            row[10] = Math.Min(1f, words.Count(w => w.Start >= start - 1 && w.Start < end + 1) / (float)(StepSeconds + 2) / 4f);
            row[11] = inWindow.Any(w => cues[w].Question) ? 1 : 0;
            row[12] = inWindow.Any(w => cues[w].SecondPerson) ? 1 : 0;
            row[13] = inWindow.Any(w => cues[w].Number) ? 1 : 0;
            row[14] = inWindow.Any(w => cues[w].Superlative) ? 1 : 0;
            row[15] = inWindow.Any(w => cues[w].Imperative) ? 1 : 0;
            rows[i] = row;
        }

        return rows;
    }

    /// <summary>Indexes of the windows (of <paramref name="count"/>) covering [start, end).</summary>
    public static IEnumerable<int> Windows(int count, double start, double end)
    {
        var from = Math.Clamp((int)(start / StepSeconds), 0, count);
        var to = Math.Clamp((int)Math.Ceiling(end / StepSeconds), from, count);
        return Enumerable.Range(from, to - from);
    }

    /// <summary>Mean of each column of per-window rows (features or contributions) over [start, end), by feature name.</summary>
    public static IReadOnlyDictionary<string, double> Mean(float[][] rows, double start, double end)
    {
        var windows = Windows(rows.Length, start, end).ToList();
        return Names
            .Select((name, f) => (name, value: windows.Count == 0 ? 0 : Math.Round(windows.Average(i => rows[i][f]), 4)))
            .ToDictionary(p => p.name, p => p.value, StringComparer.Ordinal);
    }

    private static double Overlap(double a0, double a1, double b0, double b1) => Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));

    // Level: -50 LUFS (near silence) .. -10 LUFS (loud) -> 0..1. Jump: rise over the previous 1.5 s, 10 LU -> 1.
    private static (float Level, float Jump) Loudness(LoudnessAnalysis? loudness, double start, double end)
    {
        if (loudness is null || loudness.Momentary.Count == 0)
        {
            return (0, 0);
        }

        double At(int index) => Math.Max(-70, loudness.Momentary[Math.Clamp(index, 0, loudness.Momentary.Count - 1)]);
        var from = (int)(start / loudness.StepSeconds);
        var to = Math.Max(from + 1, (int)(end / loudness.StepSeconds));
        var level = Enumerable.Range(from, to - from).Max(At);
        var before = Enumerable.Range(from - (int)(1.5 / loudness.StepSeconds), (int)(1.5 / loudness.StepSeconds)).Average(At);
        return ((float)Math.Clamp((level + 50) / 40, 0, 1), (float)Math.Clamp((level - before) / 10, 0, 1));
    }

    private static (float Motion, float Face, float Size, float Centered, float Count) Visual(SourceAnalysis analysis, double start, double end)
    {
        var faces = analysis.Faces?.Samples.Where(s => s.TimeSeconds >= start - 0.25 && s.TimeSeconds < end).ToList() ?? [];
        var visual = analysis.Visual;
        float motion = 0, count = 0;
        if (visual is not null && visual.Motion.Count > 0)
        {
            var from = Math.Clamp((int)(start * visual.SampleRate), 0, visual.Motion.Count - 1);
            var to = Math.Clamp((int)Math.Ceiling(end * visual.SampleRate), from + 1, visual.Motion.Count);
            // 30 levels of mean change is a lot of movement (a pan or a cut); a talking head is ~2.
            motion = Math.Min(1f, visual.Motion.Skip(from).Take(to - from).Max() / 30f);
            count = Math.Min(3, visual.FaceCounts.Skip(from).Take(to - from).DefaultIfEmpty(0).Max()) / 3f;
        }

        var seen = faces.Where(f => f.Score > 0).ToList();
        if (seen.Count == 0)
        {
            return (motion, 0, 0, 0, count);
        }

        return (motion, (float)seen.Count / faces.Count, Math.Min(1f, seen.Average(f => f.Height) / 0.5f),
            Math.Max(0f, 1 - (Math.Abs(seen.Average(f => f.CenterX) - 0.5f) * 2)), Math.Max(count, 1 / 3f));
    }
}
