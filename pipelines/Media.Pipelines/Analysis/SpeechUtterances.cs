namespace Media.Pipelines.Analysis;

/// <summary>
/// Where the recogniser listens: the voice-activity segments as utterances, each recognised on its own (its own cepstral
/// mean, no state carried from the one before). Long speech is split near every multiple of <see cref="SplitEverySeconds"/>
/// on the source's clock, at the quietest voice-activity window within <see cref="SplitSearchSeconds"/> of it. Every
/// choice depends only on the voice activity near the utterance, never on where a decode began, so a chunk of the analysis
/// finds the same utterances as one pass over the whole source and its recogniser hears the same samples: free
/// recognition joins across chunks word for word. (pocketsphinx_continuous, which segmented by itself and carried its
/// cepstral mean from utterance to utterance, gave a chunk's words 17% apart from one pass's.)
/// </summary>
public static class SpeechUtterances
{
    public const double SplitEverySeconds = 15;

    public const double SplitSearchSeconds = 2.5;

    /// <summary>No piece of a split shorter than this.</summary>
    public const double MinPieceSeconds = 1;

    /// <summary>Kept before and after a segment (never past the midpoint to its neighbour): the voice-activity model trims soft onsets and endings.</summary>
    public const double PadSeconds = 0.2;

    /// <summary>
    /// How far past a range its decode must reach so that every utterance starting inside the range is found whole. The
    /// longest piece starts at a split <see cref="SplitSearchSeconds"/> before its mark and ends at a split after the next
    /// mark; that split needs the voice activity to its search's end and a piece's worth beyond, then the padding; and a
    /// second to spare.
    /// </summary>
    public const double ReachSeconds = SplitEverySeconds + (2 * SplitSearchSeconds) + (2 * MinPieceSeconds) + (2 * PadSeconds) + 1;

    /// <summary>The longest utterance the plan makes (see <see cref="ReachSeconds"/>).</summary>
    public const double LongestSeconds = SplitEverySeconds + (2 * SplitSearchSeconds) + (2 * PadSeconds);

    /// <summary>
    /// The utterances in a decode's voice activity, on the source's clock: window i of <paramref name="probabilities"/>
    /// starts at <paramref name="offsetSeconds"/> + i·<paramref name="windowSeconds"/>. Unless the decode ran to the
    /// source's end (<paramref name="toSourceEnd"/>), an utterance reaching its end is left out: it may go on past it.
    /// </summary>
    public static IReadOnlyList<TimeRange> Plan(IReadOnlyList<float> probabilities, double windowSeconds, double offsetSeconds, bool toSourceEnd, SpeechSegmenter? segmenter = null)
    {
        var decodedEnd = offsetSeconds + (probabilities.Count * windowSeconds);
        var segments = (segmenter ?? new SpeechSegmenter()).Segments(probabilities, windowSeconds);
        var utterances = new List<TimeRange>();
        for (var k = 0; k < segments.Count; k++)
        {
            var segment = segments[k];
            // Padded, but not into the neighbour's padding nor outside what was decoded.
            var from = Math.Max(0, k > 0 ? Math.Max(segment.Start - PadSeconds, (segments[k - 1].End + segment.Start) / 2) : segment.Start - PadSeconds);
            var to = Math.Min(probabilities.Count * windowSeconds, k + 1 < segments.Count ? Math.Min(segment.End + PadSeconds, (segment.End + segments[k + 1].Start) / 2) : segment.End + PadSeconds);
            var pieceStart = from;
            foreach (var split in Splits(probabilities, windowSeconds, offsetSeconds, segment))
            {
                utterances.Add(new TimeRange(offsetSeconds + pieceStart, offsetSeconds + split));
                pieceStart = split;
            }

            utterances.Add(new TimeRange(offsetSeconds + pieceStart, offsetSeconds + to));
        }

        return [.. utterances.Where(u => u.Duration > 0 && (toSourceEnd || u.End < decodedEnd - 1e-6))];
    }

    // Split points inside one segment (decode's clock), each the quietest window near a multiple of SplitEverySeconds on
    // the source's clock (the earliest of equals), at least MinPieceSeconds from the segment's ends and the split before.
    private static IEnumerable<double> Splits(IReadOnlyList<float> probabilities, double windowSeconds, double offsetSeconds, TimeRange segment)
    {
        var last = segment.Start;
        var mark = Math.Floor((offsetSeconds + segment.Start) / SplitEverySeconds) * SplitEverySeconds - offsetSeconds;
        while (true)
        {
            mark += SplitEverySeconds;
            if (mark >= segment.End - MinPieceSeconds)
            {
                yield break;
            }

            if (mark <= last + MinPieceSeconds)
            {
                continue;
            }

            var lowest = Math.Max(last + MinPieceSeconds, mark - SplitSearchSeconds);
            var highest = Math.Min(segment.End - MinPieceSeconds, mark + SplitSearchSeconds);
            // Compared in steps of 0.01: a chunk's voice-activity model warms up in its lead and may differ from one pass's
            // in the last digits, which must not move the split to another near-equal window.
            int? best = null;
            var bestLevel = int.MaxValue;
            for (var i = (int)Math.Ceiling((lowest / windowSeconds) - 1e-6); i * windowSeconds <= highest + 1e-6 && i < probabilities.Count; i++)
            {
                var level = (int)Math.Round(probabilities[i] * 100);
                if (level < bestLevel)
                {
                    (best, bestLevel) = (i, level);
                }
            }

            if (best is { } at)
            {
                last = at * windowSeconds;
                yield return last;
            }
        }
    }
}
