using Media.Pipelines.Patterns;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Who is on screen -> when a vertical frame shows two people stacked (or, in auto, the whole picture) instead of one
/// crop. At each sample of the people analysis the people on screen are the tracks whose span covers it, counting only
/// faces at least <see cref="PeerSize"/> of the largest (a small face in the background is not a guest). Two people
/// whose faces one crop window cannot hold together are a split, the left one on top; in auto, three or more who do not
/// fit are wide. Stretches shorter than the minimum shot join their longer neighbour (a detector's miss or a passer-by
/// does not flicker the layout), and a change within <see cref="CutSnapSeconds"/> of a scene cut moves onto the cut.
/// Pure and linear in the samples and tracks' points.
/// </summary>
public static class LayoutPlanner
{
    public const double PeerSize = 0.4;

    public const double CutSnapSeconds = 0.5;

    /// <param name="window">The single crop's width as a fraction of the source's (horizontal crops only).</param>
    /// <param name="minSpan">The shortest stretch shown one way, in seconds.</param>
    public static IReadOnlyList<LayoutChoice> Plan(PeopleAnalysis people, double duration, IReadOnlyList<double> cuts, ReframeLayout layout, double window, double minSpan)
    {
        if (layout == ReframeLayout.Single || people.Tracks.Count < 2 || duration <= 0 || people.SampleRate <= 0)
        {
            return [];
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

        // Runs of samples with one choice: (first sample, last sample, kind or null for the crop, top, bottom).
        var runs = new List<Run>();
        for (var k = 0; k < count; k++)
        {
            var choice = Choose(onScreen[k], k / rate, layout, window);
            if (runs.Count > 0 && runs[^1].Same(choice))
            {
                runs[^1] = runs[^1] with { Last = k };
            }
            else
            {
                runs.Add(new Run(k, k, choice.Kind, choice.Top, choice.Bottom));
            }
        }

        Smooth(runs, (int)Math.Ceiling(minSpan * rate));
        var sortedCuts = cuts.Order().ToList();
        var choices = new List<LayoutChoice>();
        foreach (var run in runs.Where(r => r.Kind is not null))
        {
            var start = run.First == 0 ? 0 : Snap((run.First - 0.5) / rate, sortedCuts);
            var end = run.Last == count - 1 ? duration : Snap((run.Last + 0.5) / rate, sortedCuts);
            if (end > start)
            {
                choices.Add(new LayoutChoice(new LayoutSpan(Math.Round(start, 3), Math.Round(Math.Min(end, duration), 3), run.Kind!.Value), run.Top, run.Bottom));
            }
        }

        return choices;
    }

    private static Run Choose(List<PersonTrack>? tracks, double time, ReframeLayout layout, double window)
    {
        var single = new Run(0, 0, null, null, null);
        if (tracks is null || tracks.Count < 2)
        {
            return single;
        }

        var faces = tracks.Select(t => (t.Id, Point: t.At(time, double.MaxValue)!)).OrderByDescending(f => f.Point.Width).ToList();
        var largest = faces[0].Point.Width;
        faces = [.. faces.Where(f => f.Point.Width >= PeerSize * largest)];
        if (faces.Count < 2 || Fits(faces.Select(f => f.Point), window))
        {
            return single;
        }

        if (layout == ReframeLayout.Auto && faces.Count >= 3)
        {
            return new Run(0, 0, LayoutKind.Wide, null, null);
        }

        var pair = faces.Take(2).OrderBy(f => f.Point.CenterX).ToList();
        return new Run(0, 0, LayoutKind.Split, pair[0].Id, pair[1].Id);
    }

    // True when one crop window (a fraction of the source's width) holds every face whole.
    private static bool Fits(IEnumerable<TrackPoint> faces, double window)
    {
        var list = faces.ToList();
        return list.Max(f => f.X + f.Width) - list.Min(f => f.X) <= window;
    }

    // Runs shorter than the minimum join a neighbour, shortest first: both neighbours when they agree, else the longer.
    private static void Smooth(List<Run> runs, int minSamples)
    {
        while (runs.Count > 1)
        {
            var shortest = -1;
            for (var i = 0; i < runs.Count; i++)
            {
                if (runs[i].Length < minSamples && (shortest < 0 || runs[i].Length < runs[shortest].Length))
                {
                    shortest = i;
                }
            }

            if (shortest < 0)
            {
                return;
            }

            var before = shortest > 0 ? runs[shortest - 1] : null;
            var after = shortest < runs.Count - 1 ? runs[shortest + 1] : null;
            if (before is not null && after is not null && before.Same(after))
            {
                runs[shortest - 1] = before with { Last = after.Last };
                runs.RemoveRange(shortest, 2);
            }
            else if (before is not null && (after is null || before.Length >= after.Length))
            {
                runs[shortest - 1] = before with { Last = runs[shortest].Last };
                runs.RemoveAt(shortest);
            }
            else
            {
                runs[shortest + 1] = after! with { First = runs[shortest].First };
                runs.RemoveAt(shortest);
            }
        }
    }

    private static double Snap(double time, List<double> cuts)
    {
        var nearest = cuts.Count == 0 ? double.NaN : cuts.MinBy(c => Math.Abs(c - time));
        return Math.Abs(nearest - time) <= CutSnapSeconds ? nearest : time;
    }

    private sealed record Run(int First, int Last, LayoutKind? Kind, int? Top, int? Bottom)
    {
        public int Length => Last - First + 1;

        public bool Same(Run other) => Kind == other.Kind && Top == other.Top && Bottom == other.Bottom;
    }
}
