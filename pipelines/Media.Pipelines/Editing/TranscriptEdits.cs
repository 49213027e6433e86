namespace Media.Pipelines.Editing;

/// <summary>
/// Edit by transcript: words a revision deleted (present in the revision it was made from, absent now) are cut from the
/// video. A run of deleted words is cut from halfway into the pause before it to halfway into the pause after it, never
/// closer than <see cref="Padding"/> to a word that stays, so no kept word is clipped and the pause left between the
/// neighbours is about as long as theirs was. Corrected word texts keep their timing; breaks are the client's.
/// </summary>
public static class TranscriptEdits
{
    public const double Padding = 0.05;

    /// <summary>The spans of the source a revision removes by deleting words, in source order (what <see cref="Apply"/> cuts).</summary>
    public static IReadOnlyList<EditRange> DeletedSpans(EditCaptions edited, EditCaptions original)
    {
        var kept = edited.Words.Select(w => w.Id).ToHashSet();
        var words = original.Words;
        var spans = new List<EditRange>();
        for (var i = 0; i < words.Count; i++)
        {
            if (kept.Contains(words[i].Id))
            {
                continue;
            }

            var first = i;
            while (i + 1 < words.Count && !kept.Contains(words[i + 1].Id))
            {
                i++;
            }

            var before = first > 0 ? words[first - 1] : null;
            var after = i + 1 < words.Count ? words[i + 1] : null;
            var start = before is null ? words[first].Start - Padding : Math.Max(before.End + Padding, (before.End + words[first].Start) / 2);
            var end = after is null ? words[i].End + Padding : Math.Min(after.Start - Padding, (words[i].End + after.Start) / 2);
            if (end > start)
            {
                spans.Add(new EditRange(Math.Max(0, start), end));
            }
        }

        return spans;
    }

    /// <summary>The edited plan with the spans of its deleted words cut out of its ranges.</summary>
    public static EditPlan Apply(EditPlan edited, EditPlan original)
    {
        if (edited.Captions is not { } captions || original.Captions is not { } before)
        {
            return edited;
        }

        var ranges = edited.Ranges.ToList();
        foreach (var cut in DeletedSpans(captions, before))
        {
            ranges = [.. ranges.SelectMany(r => Subtract(r, cut))];
        }

        return edited with { Ranges = ranges };
    }

    // What is left of a range with a span cut out: nothing, one piece or two; slivers too short to play are dropped.
    private static IEnumerable<EditRange> Subtract(EditRange range, EditRange cut)
    {
        if (cut.End <= range.Start || cut.Start >= range.End)
        {
            yield return range;
            yield break;
        }

        if (cut.Start - range.Start >= 0.04)
        {
            yield return range with { End = cut.Start };
        }

        if (range.End - cut.End >= 0.04)
        {
            yield return range with { Start = cut.End };
        }
    }
}
