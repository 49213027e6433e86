namespace Media.Pipelines.Speakers;

/// <summary>
/// Speaker turns -> the shots a crop follows, with hysteresis: the shot changes only at a turn of speech by another
/// person that lasts at least <c>minTurn</c> seconds (a laugh, a listener's "yeah" or an interjection never moves the
/// crop), and never less than <c>minShot</c> seconds after the last change (a longer turn that starts sooner is
/// switched to once that time has passed). Without a clear speaker the shot holds. A scene cut starts a new shot on
/// the first speaker after it. Pure.
/// </summary>
public static class SpeakerShots
{
    public const double DefaultMinShotSeconds = 2;
    public const double DefaultMinTurnSeconds = 1;

    /// <summary>
    /// How long before a new speaker's first word the crop cuts to them (as editors cut, and voice activity hears a
    /// quiet first syllable late), never before the last speaker's words end.
    /// </summary>
    public const double LeadSeconds = 0.3;

    public static IReadOnlyList<SpeakerShot> Plan(IReadOnlyList<SpeakerTurn> turns, double durationSeconds, IReadOnlyList<double>? sceneCuts = null,
        double minShotSeconds = DefaultMinShotSeconds, double minTurnSeconds = DefaultMinTurnSeconds)
    {
        var ordered = turns.Where(t => t.Track is not null).OrderBy(t => t.Start).ToList();
        var cuts = (sceneCuts ?? []).Where(c => c > 0 && c < durationSeconds).Order().ToList();
        var shots = new List<SpeakerShot>();
        var shotStart = 0.0;
        // Each shot (from the start, or from a cut) opens on the first person heard speaking in it.
        var current = FirstSpeaker(ordered, 0, cuts.FirstOrDefault(durationSeconds), minTurnSeconds);
        var cutIndex = 0;
        var lastEnd = 0.0;
        foreach (var turn in ordered)
        {
            while (cutIndex < cuts.Count && cuts[cutIndex] <= turn.Start)
            {
                var cut = cuts[cutIndex++];
                shots.Add(new SpeakerShot(shotStart, cut, current));
                shotStart = cut;
                current = FirstSpeaker(ordered, cut, cutIndex < cuts.Count ? cuts[cutIndex] : durationSeconds, minTurnSeconds);
            }

            if (turn.Track == current || turn.Duration < minTurnSeconds)
            {
                lastEnd = turn.Track == current ? turn.End : lastEnd;
                continue;
            }

            var switchAt = Math.Max(Math.Max(turn.Start - LeadSeconds, Math.Min(lastEnd, turn.Start)), shotStart + minShotSeconds);
            if (turn.End - switchAt < minTurnSeconds / 2)
            {
                continue; // the turn is nearly over by the time a switch is allowed
            }

            if (switchAt > shotStart)
            {
                shots.Add(new SpeakerShot(shotStart, switchAt, current));
            }

            shotStart = switchAt;
            current = turn.Track;
            lastEnd = turn.End;
        }

        for (; cutIndex < cuts.Count; cutIndex++)
        {
            shots.Add(new SpeakerShot(shotStart, cuts[cutIndex], current));
            shotStart = cuts[cutIndex];
            current = FirstSpeaker(ordered, shotStart, cutIndex + 1 < cuts.Count ? cuts[cutIndex + 1] : durationSeconds, minTurnSeconds);
        }

        shots.Add(new SpeakerShot(shotStart, Math.Max(shotStart, durationSeconds), current));
        return shots;
    }

    // The speaker of the first long-enough turn in [from, until), else of any turn there.
    private static int? FirstSpeaker(List<SpeakerTurn> turns, double from, double until, double minTurn)
    {
        var inside = turns.Where(t => t.Start >= from && t.Start < until).ToList();
        return (inside.FirstOrDefault(t => t.Duration >= minTurn) ?? inside.FirstOrDefault())?.Track;
    }
}
