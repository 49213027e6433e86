namespace Media.Pipelines.Speakers;

/// <summary>
/// Speaker turns -> the shots a crop follows, with hysteresis: the shot changes only at a turn of speech by another
/// person that lasts at least <c>minTurn</c> seconds (a laugh, a listener's "yeah" or an interjection never moves the
/// crop), and never less than <c>minShot</c> seconds after the last change (a longer turn that starts sooner is
/// switched to once that time has passed, if at least <c>minTurn</c> of it is left). One person's turns separated by
/// short pauses count as one turn ("Yeah. Well, I think… that's right." is one answer, not three). Without a clear
/// speaker the shot holds. A scene cut starts a new shot on the first person heard speaking after it. Pure.
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

    /// <summary>The longest pause inside one person's turn.</summary>
    public const double MaxPauseSeconds = 0.8;

    public static IReadOnlyList<SpeakerShot> Plan(IReadOnlyList<SpeakerTurn> turns, double durationSeconds, IReadOnlyList<double>? sceneCuts = null,
        double minShotSeconds = DefaultMinShotSeconds, double minTurnSeconds = DefaultMinTurnSeconds)
    {
        var ordered = Join(turns);
        var cuts = (sceneCuts ?? []).Where(c => c > 0 && c < durationSeconds).Order().ToList();
        var shots = new List<SpeakerShot>();
        var shotStart = 0.0;
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
                lastEnd = cut;
            }

            if (turn.Track == current || turn.Duration < minTurnSeconds)
            {
                lastEnd = turn.Track == current ? turn.End : lastEnd;
                continue;
            }

            var switchAt = Math.Max(Math.Max(turn.Start - LeadSeconds, Math.Min(lastEnd, turn.Start)), shotStart + minShotSeconds);
            var nextCut = cutIndex < cuts.Count ? cuts[cutIndex] : double.PositiveInfinity;
            if (Math.Min(turn.End, nextCut) - switchAt < minTurnSeconds)
            {
                continue; // nearly over by the time a switch is allowed, or the next cut opens a shot anyway
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

    // Named turns in order, one person's consecutive turns joined across pauses up to MaxPauseSeconds.
    private static List<SpeakerTurn> Join(IReadOnlyList<SpeakerTurn> turns)
    {
        var joined = new List<SpeakerTurn>();
        foreach (var turn in turns.Where(t => t.Track is not null).OrderBy(t => t.Start))
        {
            if (joined.Count > 0 && joined[^1].Track == turn.Track && turn.Start - joined[^1].End <= MaxPauseSeconds)
            {
                joined[^1] = joined[^1] with { End = Math.Max(joined[^1].End, turn.End), Confidence = Math.Min(joined[^1].Confidence, turn.Confidence) };
            }
            else
            {
                joined.Add(turn);
            }
        }

        return joined;
    }

    // Who a shot in [from, until) opens on: the first person with a long-enough turn in it (a turn running across
    // the cut counts by what is left of it), else the first heard starting in it. Not a short tail running over the cut:
    // that is the last shot's person, whose track ended at the cut.
    private static int? FirstSpeaker(List<SpeakerTurn> turns, double from, double until, double minTurn)
    {
        var inside = turns.Where(t => t.End > from && t.Start < until).ToList();
        return (inside.FirstOrDefault(t => Math.Min(t.End, until) - Math.Max(t.Start, from) >= minTurn) ?? inside.FirstOrDefault(t => t.Start >= from))?.Track;
    }
}
