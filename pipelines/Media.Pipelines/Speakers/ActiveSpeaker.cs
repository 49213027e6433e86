using Media.Pipelines.Analysis;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Who speaks when: inside each stretch of voice activity, the face whose mouth moves clearly more than every other
/// face's (each face's movement measured above its own resting level, over a short window) is the speaker. Choices
/// are smoothed by a majority over a second, then joined into turns. Linear in the samples (an hour at 8 fps is
/// cheap). Pure.
/// </summary>
public static class ActiveSpeaker
{
    /// <summary>Half the window a face's mouth movement is averaged over (seconds): a syllable or two.</summary>
    public const double WindowSeconds = 0.4;

    /// <summary>Half the window of the majority vote (seconds).</summary>
    public const double VoteSeconds = 0.5;

    /// <summary>The least movement above rest (mean luma change, 0..255) that counts as speaking.</summary>
    public const double MinActivity = 1.0;

    /// <summary>How many times more than the next face the speaker's mouth must move.</summary>
    public const double Margin = 1.5;

    /// <summary>
    /// Faces narrower than this (fraction of the frame width) are never named among others: their mouth is a few
    /// pixels of the analysis decode, noise rather than speech (an audience, people far behind).
    /// </summary>
    public const double MinFaceWidth = 0.06;

    public static IReadOnlyList<SpeakerTurn> Turns(IReadOnlyList<PersonTrack> tracks, IReadOnlyList<TimeRange> speech, double sampleRate)
    {
        var ordered = speech.Where(s => s.Duration > 0).OrderBy(s => s.Start).ToList();
        var movement = tracks.Select(t => new Movement(t, Activity(t, ordered))).ToList();
        var step = 1 / sampleRate;
        var turns = new List<SpeakerTurn>();
        foreach (var segment in ordered)
        {
            var times = new List<double>();
            for (var t = segment.Start + (step / 2); t < segment.End; t += step)
            {
                times.Add(t);
            }

            if (times.Count == 0)
            {
                times.Add((segment.Start + segment.End) / 2);
            }

            var raw = times.Select(t => Choose(movement, t, step)).ToArray();
            var voted = Vote(raw, times);
            var runStart = 0;
            for (var i = 1; i <= voted.Length; i++)
            {
                if (i < voted.Length && voted[i] == voted[runStart])
                {
                    continue;
                }

                var start = runStart == 0 ? segment.Start : (times[runStart - 1] + times[runStart]) / 2;
                var end = i == voted.Length ? segment.End : (times[i - 1] + times[i]) / 2;
                var agreeing = raw.Skip(runStart).Take(i - runStart).Count(r => r == voted[runStart]);
                turns.Add(new SpeakerTurn(Math.Round(start, 3), Math.Round(end, 3), voted[runStart], Math.Round((double)agreeing / (i - runStart), 3)));
                runStart = i;
            }
        }

        return turns;
    }

    // Per point: the mouth's movement above the face's resting level, never below zero. At rest is how it moves while
    // nobody speaks (the median outside voice activity); a face seen only during speech rests at its 10th percentile.
    private static double[] Activity(PersonTrack track, List<TimeRange> speech)
    {
        var silent = new List<double>();
        var segment = 0;
        foreach (var point in track.Points)
        {
            while (segment < speech.Count && speech[segment].End <= point.Time)
            {
                segment++;
            }

            var speaking = segment < speech.Count && point.Time >= speech[segment].Start;
            if (point.Mouth is { } m && !speaking)
            {
                silent.Add(m);
            }
        }

        silent.Sort();
        var all = track.Points.Where(p => p.Mouth is not null).Select(p => (double)p.Mouth!.Value).Order().ToList();
        var rest = silent.Count >= 5 ? silent[silent.Count / 2] : all.Count >= 5 ? all[all.Count / 10] : 0;
        return [.. track.Points.Select(p => p.Mouth is { } m ? Math.Max(0, m - rest) : double.NaN)];
    }

    private static int? Choose(List<Movement> movement, double time, double step)
    {
        var scores = new List<(int Track, double Score, bool Readable)>();
        foreach (var (track, values) in movement)
        {
            if (track.At(time, step) is not { } here)
            {
                continue; // not on screen now
            }

            double sum = 0;
            var count = 0;
            for (var i = track.FirstAtOrAfter(time - WindowSeconds); i < track.Points.Count && track.Points[i].Time <= time + WindowSeconds; i++)
            {
                if (!double.IsNaN(values[i]))
                {
                    sum += values[i];
                    count++;
                }
            }

            scores.Add((track.Id, count == 0 ? 0 : sum / count, here.Width >= MinFaceWidth));
        }

        if (scores.Count == 1)
        {
            return scores[0].Track; // the only face on screen: the crop follows it whoever speaks
        }

        var ranked = scores.Where(s => s.Readable).OrderByDescending(s => s.Score).ThenBy(s => s.Track).ToList();
        if (ranked.Count == 0)
        {
            return null;
        }

        var best = ranked[0];
        var second = ranked.Count > 1 ? ranked[1].Score : 0;
        return best.Score >= MinActivity && best.Score >= Margin * second ? best.Track : null;
    }

    // Majority over ±VoteSeconds around each sample (a window sliding along the sorted times).
    private static int?[] Vote(int?[] raw, List<double> times)
    {
        var voted = new int?[raw.Length];
        var counts = new Dictionary<int, int>();
        var nulls = 0;
        var (from, to) = (0, 0);
        for (var index = 0; index < raw.Length; index++)
        {
            for (; to < raw.Length && times[to] - times[index] <= VoteSeconds; to++)
            {
                Count(raw[to], +1);
            }

            for (; times[index] - times[from] > VoteSeconds; from++)
            {
                Count(raw[from], -1);
            }

            var top = counts.Where(c => c.Value > 0).OrderByDescending(c => c.Value).ThenBy(c => c.Key).FirstOrDefault();
            voted[index] = top.Value == 0 || top.Value < nulls
                ? null
                // A tie keeps the sample's own choice when it is one of the tied.
                : raw[index] is { } own && counts.GetValueOrDefault(own) == top.Value ? own : top.Key;
        }

        return voted;

        void Count(int? choice, int delta)
        {
            if (choice is { } track)
            {
                counts[track] = counts.GetValueOrDefault(track) + delta;
            }
            else
            {
                nulls += delta;
            }
        }
    }

    private readonly record struct Movement(PersonTrack Track, double[] Values);
}
