using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>
/// Chooses the clips of a fan-out: candidate windows start where a stretch of speech starts and end where
/// one ends (so no clip opens or closes mid-word), between the minimum and maximum length; each is scored by
/// how much of it is speech, and the best non-overlapping ones are taken, best first. Pure.
/// </summary>
public static class ClipPlanner
{
    public static IReadOnlyList<ClipChoice> Choose(ClipsStep clips, double sourceDuration, SpeechAnalysis? speech)
    {
        var segments = speech?.Segments ?? [];
        var candidates = new List<ClipChoice>();
        for (var i = 0; i < segments.Count; i++)
        {
            var start = Math.Max(0, segments[i].Start - 0.1);
            var end = -1.0;
            var spoken = 0.0;
            for (var j = i; j < segments.Count && segments[j].End + 0.1 - start <= clips.MaxSeconds; j++)
            {
                end = Math.Min(sourceDuration, segments[j].End + 0.1);
                spoken += segments[j].Duration;
            }

            if (end < 0)
            {
                // One long stretch of speech: cut it at the maximum.
                end = Math.Min(sourceDuration, start + clips.MaxSeconds);
                spoken = end - start;
            }
            else if (end - start < clips.MinSeconds)
            {
                end = Math.Min(sourceDuration, start + clips.MinSeconds);
            }

            if (end - start >= Math.Min(clips.MinSeconds, sourceDuration) - 1e-6)
            {
                candidates.Add(new ClipChoice(start, end, Math.Round(Math.Min(1, spoken / (end - start)), 3), 0, $"speech {Math.Min(1, spoken / (end - start)):P0} of {end - start:0.#} s"));
            }
        }

        var chosen = new List<ClipChoice>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Start))
        {
            if (chosen.Count < clips.Count && chosen.All(c => candidate.End <= c.Start || candidate.Start >= c.End))
            {
                chosen.Add(candidate with { Rank = chosen.Count + 1 });
            }
        }

        // Nobody speaks (or too little): consecutive windows from the start, so the job still delivers.
        for (var start = 0.0; chosen.Count < clips.Count && start < sourceDuration - 1; start += clips.MaxSeconds)
        {
            var window = new ClipChoice(start, Math.Min(sourceDuration, start + clips.MaxSeconds), 0, 0, "no speech: consecutive window");
            if (chosen.All(c => window.End <= c.Start || window.Start >= c.End))
            {
                chosen.Add(window with { Rank = chosen.Count + 1 });
            }
        }

        return chosen;
    }
}
