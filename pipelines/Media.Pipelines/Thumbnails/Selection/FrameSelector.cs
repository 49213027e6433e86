namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>Candidate times, and the pick: best scores first, never two within the minimum gap (diverse covers).</summary>
public static class FrameSelector
{
    /// <summary>Evenly spread times between 5% and 95% of the duration, clear of the very end (seeks there find no frame).</summary>
    public static IReadOnlyList<double> CandidateTimes(double durationSeconds, int count)
    {
        var end = Math.Max(0, durationSeconds - 0.5);
        var start = Math.Min(durationSeconds * 0.05, end);
        var stop = Math.Min(durationSeconds * 0.95, end);
        if (count <= 1 || stop <= start)
        {
            return [Math.Round(start + (stop - start) / 2, 3)];
        }

        return Enumerable.Range(0, count).Select(i => Math.Round(start + (stop - start) * i / (count - 1), 3)).Distinct().ToList();
    }

    /// <summary>How many candidates to look at: about one per 2 s, between 8 and 40.</summary>
    public static int CandidateCount(double durationSeconds) => (int)Math.Clamp(Math.Round(durationSeconds / 2), 8, 40);

    public static IReadOnlyList<FrameCandidate> Choose(IReadOnlyList<FrameCandidate> candidates, int count, double durationSeconds)
    {
        var minimumGap = Math.Max(0.5, durationSeconds / (count * 3.0));
        var chosen = new List<FrameCandidate>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.TimeSeconds))
        {
            if (chosen.Count == count)
            {
                break;
            }

            if (chosen.All(c => Math.Abs(c.TimeSeconds - candidate.TimeSeconds) >= minimumGap))
            {
                chosen.Add(candidate);
            }
        }

        // A short clip may not have enough distinct moments: fill with the next best rather than return fewer.
        foreach (var candidate in candidates.OrderByDescending(c => c.Score))
        {
            if (chosen.Count == count)
            {
                break;
            }

            if (!chosen.Contains(candidate))
            {
                chosen.Add(candidate);
            }
        }

        return chosen;
    }
}
