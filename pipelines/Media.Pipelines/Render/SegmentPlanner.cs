using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>
/// Which parts of the source an output keeps, in order, and the zoom of each: trim, then jump cuts around
/// speech, then punch-ins, then the platform's length limit. Pure.
/// </summary>
public static class SegmentPlanner
{
    /// <summary>More pieces than this are merged across their shortest gaps (each piece is a branch of the graph).</summary>
    public const int MaxSegments = 300;

    /// <summary>How far into the quiet around a filler its cut reaches.</summary>
    public const double FillerPadding = 0.04;

    /// <param name="clip">For a fan-out clip: its window, which takes the place of a trim.</param>
    /// <param name="words">The recognised words, for cutting fillers (jumpCuts with fillers).</param>
    public static IReadOnlyList<PlannedSegment> Plan(EditSteps steps, double sourceDuration, SpeechAnalysis? speech, double maxOutputSeconds, ClipChoice? clip = null, IReadOnlyList<Speech.Word>? words = null)
    {
        var start = Math.Clamp(clip?.Start ?? steps.Trim?.StartSeconds ?? 0, 0, sourceDuration);
        var end = Math.Clamp(clip?.End ?? steps.Trim?.EndSeconds ?? sourceDuration, start, sourceDuration);
        if (end - start < 0.1)
        {
            throw new Probe.InvalidMediaException($"The trim keeps {end - start:0.##} s of a {sourceDuration:0.##} s source; nothing is left to render.");
        }

        var ranges = new List<TimeRange> { new(start, end) };
        if (steps.JumpCuts is { } cuts && speech is { Segments.Count: > 0 })
        {
            ranges = KeepSpeech(speech.Segments, start, end, cuts);
        }

        if (steps.JumpCuts is { Fillers.Count: > 0 } withFillers && words is { Count: > 0 })
        {
            ranges = CutFillers(ranges, words, withFillers.Fillers);
        }

        ranges = LimitCount(ranges);
        var segments = steps.PunchIn is { } punch ? PunchIns(ranges, punch, steps.Speed) : ranges.Select(r => new PlannedSegment(r.Start, r.End, 1)).ToList();
        if (steps.JumpCuts is { SpeedUp: > 0 } fast && segments.Count > 1)
        {
            segments = FastPauses(segments, fast.SpeedUp);
        }

        return CapLength(segments, maxOutputSeconds * steps.Speed);
    }

    private static List<TimeRange> KeepSpeech(IReadOnlyList<TimeRange> speech, double start, double end, JumpCutsStep cuts)
    {
        var kept = new List<TimeRange>();
        foreach (var s in speech)
        {
            var padded = new TimeRange(Math.Max(start, s.Start - cuts.PaddingSeconds), Math.Min(end, s.End + cuts.PaddingSeconds));
            if (padded.Duration <= 0)
            {
                continue;
            }

            // A pause shorter than MinSilence is part of the rhythm: keep it.
            if (kept.Count > 0 && padded.Start - kept[^1].End < cuts.MinSilenceSeconds)
            {
                kept[^1] = kept[^1] with { End = Math.Max(kept[^1].End, padded.End) };
            }
            else
            {
                kept.Add(padded);
            }
        }

        // Speech only outside the trim: keep the trim as it is rather than render nothing.
        return kept.Count > 0 ? kept : [new TimeRange(start, end)];
    }

    /// <summary>
    /// The spans of the fillers among the words ("um", "uh", …): each filler, widened by <see cref="FillerPadding"/> into
    /// the quiet around it but never into a neighbouring word's time, so its sound goes and theirs stays.
    /// </summary>
    public static IReadOnlyList<TimeRange> FillerSpans(IReadOnlyList<Speech.Word> words, IReadOnlyList<string> fillers)
    {
        var set = fillers.ToHashSet(StringComparer.Ordinal);
        var spans = new List<TimeRange>();
        for (var i = 0; i < words.Count; i++)
        {
            if (!set.Contains(Speech.WordText.Normalize(words[i].Text)))
            {
                continue;
            }

            var from = i > 0 ? Math.Max(words[i - 1].End, words[i].Start - FillerPadding) : words[i].Start - FillerPadding;
            var to = i + 1 < words.Count ? Math.Min(words[i + 1].Start, words[i].End + FillerPadding) : words[i].End + FillerPadding;
            if (to - from >= 0.03)
            {
                spans.Add(new TimeRange(Math.Max(0, from), to));
            }
        }

        return spans;
    }

    private static List<TimeRange> CutFillers(List<TimeRange> ranges, IReadOnlyList<Speech.Word> words, IReadOnlyList<string> fillers)
    {
        foreach (var cut in FillerSpans(words, fillers))
        {
            ranges = [.. ranges.SelectMany(r => cut.End <= r.Start || cut.Start >= r.End
                ? [r]
                : new[] { new TimeRange(r.Start, cut.Start), new TimeRange(cut.End, r.End) }.Where(p => p.Duration >= 0.04))];
        }

        return ranges;
    }

    private static List<TimeRange> LimitCount(List<TimeRange> ranges)
    {
        while (ranges.Count > MaxSegments)
        {
            var shortest = Enumerable.Range(1, ranges.Count - 1).MinBy(i => ranges[i].Start - ranges[i - 1].End);
            ranges[shortest - 1] = ranges[shortest - 1] with { End = ranges[shortest].End };
            ranges.RemoveAt(shortest);
        }

        return ranges;
    }

    private static List<PlannedSegment> PunchIns(List<TimeRange> ranges, PunchInStep punch, double speed)
    {
        var result = new List<PlannedSegment>();
        if (punch.AtCuts)
        {
            // Every other piece between cuts is zoomed: each cut reads as a camera change.
            for (var i = 0; i < ranges.Count; i++)
            {
                result.Add(new PlannedSegment(ranges[i].Start, ranges[i].End, i % 2 == 1 ? punch.Zoom : 1));
            }

            return result;
        }

        // Every N seconds of output: split the pieces at those moments (contiguous pieces join seamlessly). On a long edit
        // the punch-ins come further apart, so that the pieces stay within MaxSegments and the edit is kept whole.
        var kept = ranges.Sum(r => r.Duration);
        var every = Math.Max(punch.EverySeconds!.Value * speed, kept / Math.Max(1, MaxSegments - ranges.Count));
        var outputTime = 0.0;
        var index = 0;
        foreach (var range in ranges)
        {
            var cursor = range.Start;
            while (cursor < range.End - 1e-6)
            {
                var boundary = ((index + 1) * every) - outputTime;
                var pieceEnd = Math.Min(range.End, cursor + boundary);
                result.Add(new PlannedSegment(cursor, pieceEnd, index % 2 == 1 ? punch.Zoom : 1));
                outputTime += pieceEnd - cursor;
                cursor = pieceEnd;
                if (outputTime >= ((index + 1) * every) - 1e-6)
                {
                    index++;
                }
            }
        }

        return result;
    }

    // The pauses between kept pieces come back, played fast.
    private static List<PlannedSegment> FastPauses(List<PlannedSegment> segments, double speedUp)
    {
        var result = new List<PlannedSegment> { segments[0] };
        for (var i = 1; i < segments.Count; i++)
        {
            if (segments[i].Start - segments[i - 1].End > 0.01)
            {
                result.Add(new PlannedSegment(segments[i - 1].End, segments[i].Start, 1) { Speed = speedUp });
            }

            result.Add(segments[i]);
        }

        return result;
    }

    // maxSeconds is output time at normal speed; a fast piece takes Duration / Speed of it.
    private static List<PlannedSegment> CapLength(List<PlannedSegment> segments, double maxSeconds)
    {
        var result = new List<PlannedSegment>();
        var total = 0.0;
        foreach (var segment in segments)
        {
            if (total + segment.OutputDuration <= maxSeconds + 1e-6)
            {
                result.Add(segment);
                total += segment.OutputDuration;
                continue;
            }

            var left = (maxSeconds - total) * segment.Speed;
            if (left >= 0.1)
            {
                result.Add(segment with { End = segment.Start + left });
            }

            break;
        }

        return result;
    }
}

/// <summary>A kept piece of the source, [Start, End) in source seconds, shown at Zoom (1 = full frame).</summary>
public sealed record PlannedSegment(double Start, double End, double Zoom)
{
    /// <summary>Played this much faster (a sped-up pause); 1 = as recorded.</summary>
    public double Speed { get; init; } = 1;

    public double Duration => End - Start;

    /// <summary>Its length in the output, before the pattern's overall speed.</summary>
    public double OutputDuration => Duration / Speed;
}
