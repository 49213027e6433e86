using Media.Pipelines.Patterns;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Who is on screen -> when a vertical frame shows two people stacked (or, in auto, the whole picture) instead of one
/// crop. At each sample of the people analysis the people on screen are the tracks whose span covers it, counting only
/// faces at least <see cref="PeerSize"/> of the largest (a small face in the background is not a guest). The two largest
/// are the pair a split shows (the left one on top); when one crop window cannot hold both faces it is a split, and in
/// auto three or more who do not fit one crop are wide. Stretches shorter than the minimum shot join a neighbour (a
/// detector's miss or a passer-by does not flicker the layout), and a change within <see cref="CutSnapSeconds"/> of a
/// scene cut moves onto the cut. The pair is chosen per sample, so a stretch joined to its neighbour still shows the
/// people on screen. Pure; linear in the samples and the tracks' points.
/// </summary>
public static class LayoutPlanner
{
    public const double PeerSize = 0.4;

    public const double CutSnapSeconds = 0.5;

    /// <param name="window">The single crop's width as a fraction of the source's (horizontal crops only).</param>
    /// <param name="minSpan">The shortest stretch shown one way, in seconds.</param>
    public static LayoutPlan Plan(PeopleAnalysis people, double duration, IReadOnlyList<double> cuts, ReframeLayout layout, double window, double minSpan)
    {
        if (layout == ReframeLayout.Single || people.Tracks.Count < 2 || duration <= 0 || people.SampleRate <= 0)
        {
            return LayoutPlan.None;
        }

        var rate = people.SampleRate;
        var count = (int)Math.Ceiling(duration * rate);
        var onScreen = new List<PersonTrack>?[count];
        foreach (var track in people.Tracks.Where(t => t.Points.Count > 0))
        {
            var from = Math.Max(0, (int)Math.Ceiling((track.Start * rate) - 0.5));
            var to = Math.Min(count - 1, (int)Math.Floor((track.End * rate) + 0.5));
            for (var k = from; k <= to; k++)
            {
                (onScreen[k] ??= []).Add(track);
            }
        }

        var pairs = new LayoutPair?[count];
        var runs = new List<Run>();
        for (var k = 0; k < count; k++)
        {
            var (kind, pair) = Choose(onScreen[k], k / rate, layout, window);
            pairs[k] = pair;
            if (runs.Count > 0 && runs[^1].Kind == kind)
            {
                runs[^1] = runs[^1] with { Last = k };
            }
            else
            {
                runs.Add(new Run(k, k, kind));
            }
        }

        runs = Smooth(runs, (int)Math.Ceiling(minSpan * rate));
        var sortedCuts = cuts.Order().ToList();
        var spans = new List<LayoutSpan>();
        foreach (var run in runs.Where(r => r.Kind is not null))
        {
            var start = run.First == 0 ? 0 : Snap((run.First - 0.5) / rate, sortedCuts);
            var end = run.Last == count - 1 ? duration : Math.Min(duration, Snap((run.Last + 0.5) / rate, sortedCuts));
            if (end > start)
            {
                spans.Add(new LayoutSpan(Math.Round(start, 3), Math.Round(end, 3), run.Kind!.Value));
            }
        }

        return new LayoutPlan(spans, pairs);
    }

    private static (LayoutKind? Kind, LayoutPair? Pair) Choose(List<PersonTrack>? tracks, double time, ReframeLayout layout, double window)
    {
        if (tracks is null || tracks.Count < 2)
        {
            return (null, null);
        }

        var faces = tracks.Select(t => (t.Id, Point: t.At(time, double.MaxValue)!)).OrderByDescending(f => f.Point.Width).ToList();
        var largest = faces[0].Point.Width;
        faces = [.. faces.Where(f => f.Point.Width >= PeerSize * largest)];
        if (faces.Count < 2)
        {
            return (null, null);
        }

        var two = faces.Take(2).OrderBy(f => f.Point.CenterX).ToList();
        var pair = new LayoutPair(two[0].Id, two[1].Id);
        if (layout == ReframeLayout.Auto && faces.Count >= 3 && !Fits(faces.Select(f => f.Point), window))
        {
            return (LayoutKind.Wide, pair);
        }

        return (Fits(two.Select(f => f.Point), window) ? null : LayoutKind.Split, pair);
    }

    // True when one crop window (a fraction of the source's width) holds every face whole.
    private static bool Fits(IEnumerable<TrackPoint> faces, double window)
    {
        var list = faces.ToList();
        return list.Max(f => f.X + f.Width) - list.Min(f => f.X) <= window;
    }

    // Runs shorter than the minimum join a neighbour: both neighbours when they agree, else the longer one. Shortest
    // first, in passes of growing length (each pass linear), so one stray sample never decides a longer stretch.
    private static List<Run> Smooth(List<Run> runs, int minSamples)
    {
        for (var length = 1; length < minSamples && runs.Count > 1; length++)
        {
            var kept = new List<Run>(runs.Count);
            for (var i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                var before = kept.Count > 0 ? kept[^1] : null;
                var after = i + 1 < runs.Count ? runs[i + 1] : null;
                if (before is not null && before.Kind == run.Kind)
                {
                    kept[^1] = before with { Last = run.Last }; // two stretches joined by a merge
                }
                else if (run.Length > length || (before is null && after is null))
                {
                    kept.Add(run);
                }
                else if (before is not null && after is not null && before.Kind == after.Kind)
                {
                    kept[^1] = before with { Last = after.Last };
                    i++;
                }
                else if (before is not null && (after is null || before.Length >= after.Length))
                {
                    kept[^1] = before with { Last = run.Last };
                }
                else
                {
                    runs[i + 1] = after! with { First = run.First };
                }
            }

            runs = kept;
        }

        return runs;
    }

    // The nearest cut (binary search: the cuts are sorted) when it is within CutSnapSeconds, else the time itself.
    private static double Snap(double time, List<double> cuts)
    {
        var index = cuts.BinarySearch(time);
        index = index < 0 ? ~index : index;
        double? nearest = null;
        foreach (var i in new[] { index - 1, index })
        {
            if (i >= 0 && i < cuts.Count && (nearest is null || Math.Abs(cuts[i] - time) < Math.Abs(nearest.Value - time)))
            {
                nearest = cuts[i];
            }
        }

        return nearest is { } cut && Math.Abs(cut - time) <= CutSnapSeconds ? cut : time;
    }

    private sealed record Run(int First, int Last, LayoutKind? Kind)
    {
        public int Length => Last - First + 1;
    }
}
