using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>
/// Chooses the clips of a fan-out. Candidates start where a stretch of speech starts or at a scene cut, and end
/// at a sentence end (the end of a stretch of speech: a pause) or a scene cut, between the minimum and maximum
/// length, so no clip opens or closes mid-word. With hook scores, a candidate scores by its opening (the first
/// <see cref="OpeningSeconds"/>, weighted 0.6) and its whole length (0.4), and carries the feature
/// contributions behind it; without them, by how much of it is speech. The best non-overlapping ones are taken,
/// best first. Pure.
/// </summary>
public static class ClipPlanner
{
    public const double OpeningSeconds = 3;
    private const double Pad = 0.1;

    public static IReadOnlyList<ClipChoice> Choose(ClipsStep clips, double sourceDuration, SpeechAnalysis? speech, HookWindows? hooks = null, IReadOnlyList<double>? sceneCuts = null)
    {
        var segments = speech?.Segments ?? [];
        var cuts = sceneCuts ?? [];
        var starts = segments.Select(s => Math.Max(0, s.Start - Pad)).Concat(cuts).Where(t => t < sourceDuration - 1).Distinct().Order().ToList();
        var ends = segments.Select(s => Math.Min(sourceDuration, s.End + Pad)).Concat(cuts).Append(sourceDuration).Distinct().Order().ToList();

        var candidates = new List<ClipChoice>();
        foreach (var start in starts)
        {
            // The longest clip that ends on a boundary; a single stretch longer than the maximum is cut at it.
            var end = ends.LastOrDefault(e => e - start >= clips.MinSeconds - 1e-6 && e - start <= clips.MaxSeconds + 1e-6, -1);
            if (end < 0)
            {
                end = ends.Any(e => e > start && e - start < clips.MinSeconds)
                    ? Math.Min(sourceDuration, start + clips.MinSeconds)
                    : Math.Min(sourceDuration, start + clips.MaxSeconds);
            }

            if (end - start < Math.Min(clips.MinSeconds, sourceDuration) - 1e-6)
            {
                continue;
            }

            candidates.Add(hooks is null ? BySpeech(start, end, segments) : ByHook(start, end, hooks));
        }

        var chosen = new List<ClipChoice>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Start))
        {
            if (chosen.Count < clips.Count && chosen.All(c => candidate.End <= c.Start || candidate.Start >= c.End))
            {
                chosen.Add(candidate with { Rank = chosen.Count + 1 });
            }
        }

        // Nobody speaks and nothing cuts (or too little): consecutive windows from the start, so the job still delivers.
        for (var start = 0.0; chosen.Count < clips.Count && start < sourceDuration - 1; start += clips.MaxSeconds)
        {
            var window = new ClipChoice(start, Math.Min(sourceDuration, start + clips.MaxSeconds), 0, 0, "no speech: consecutive window");
            if (hooks is not null)
            {
                window = ByHook(window.Start, window.End, hooks) with { Reason = "no speech: consecutive window" };
            }

            if (chosen.All(c => window.End <= c.Start || window.Start >= c.End))
            {
                chosen.Add(window with { Rank = chosen.Count + 1 });
            }
        }

        return chosen;
    }

    private static ClipChoice BySpeech(double start, double end, IReadOnlyList<TimeRange> segments)
    {
        var spoken = segments.Sum(s => Math.Max(0, Math.Min(s.End, end) - Math.Max(s.Start, start)));
        var density = Math.Min(1, spoken / (end - start));
        return new ClipChoice(start, end, Math.Round(density, 3), 0, $"speech {density:P0} of {end - start:0.#} s");
    }

    private static ClipChoice ByHook(double start, double end, HookWindows hooks)
    {
        var openingEnd = Math.Min(end, start + OpeningSeconds);
        var score = (0.6 * hooks.MeanScore(start, openingEnd)) + (0.4 * hooks.MeanScore(start, end));
        var contributions = HookFeatures.Mean(hooks.Contributions, start, openingEnd);
        var top = contributions.Where(c => c.Value > 0.05).OrderByDescending(c => c.Value).Take(3)
            .Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Key} +{c.Value:0.00}"));
        return new ClipChoice(start, end, Math.Round(score, 3), 0, $"hook {score:0.00} ({hooks.Model}): {string.Join(", ", top.DefaultIfEmpty("no strong cue"))}")
        {
            Contributions = contributions,
            Features = HookFeatures.Mean(hooks.Features, start, openingEnd),
        };
    }
}
