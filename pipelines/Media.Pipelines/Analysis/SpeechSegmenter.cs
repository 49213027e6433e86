namespace Media.Pipelines.Analysis;

/// <summary>
/// Voice-activity probabilities (one per window) -> speech segments, with hysteresis (start above
/// <see cref="Threshold"/>, end below it minus 0.15), short blips dropped and short gaps bridged.
/// </summary>
public sealed record SpeechSegmenter
{
    public double Threshold { get; init; } = 0.5;

    public double MinSpeechSeconds { get; init; } = 0.25;

    /// <summary>Quiet shorter than this does not end a segment (breaths between words).</summary>
    public double MinGapSeconds { get; init; } = 0.1;

    public IReadOnlyList<TimeRange> Segments(IReadOnlyList<float> probabilities, double windowSeconds)
    {
        var raw = new List<TimeRange>();
        var off = Threshold - 0.15;
        double? start = null;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            if (start is null && p >= Threshold)
            {
                start = i * windowSeconds;
            }
            else if (start is not null && p < off)
            {
                raw.Add(new TimeRange(start.Value, i * windowSeconds));
                start = null;
            }
        }

        if (start is not null)
        {
            raw.Add(new TimeRange(start.Value, probabilities.Count * windowSeconds));
        }

        var merged = new List<TimeRange>();
        foreach (var segment in raw)
        {
            if (merged.Count > 0 && segment.Start - merged[^1].End < MinGapSeconds)
            {
                merged[^1] = merged[^1] with { End = segment.End };
            }
            else
            {
                merged.Add(segment);
            }
        }

        return merged.Where(s => s.Duration >= MinSpeechSeconds).ToList();
    }
}
