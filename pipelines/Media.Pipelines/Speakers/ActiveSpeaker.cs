using Media.Pipelines.Analysis;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Who speaks when: inside each stretch of voice activity, the face whose mouth moves clearly more than every other
/// face's (each face's movement measured above its own resting level, over a short window) is the speaker. Choices
/// are smoothed by a majority over a second, then joined into turns. Pure.
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

    public static IReadOnlyList<SpeakerTurn> Turns(IReadOnlyList<PersonTrack> tracks, IReadOnlyList<TimeRange> speech, double sampleRate)
    {
        var activity = tracks.ToDictionary(t => t.Id, t => Activity(t, speech));
        var step = 1 / sampleRate;
        var turns = new List<SpeakerTurn>();
        foreach (var segment in speech.Where(s => s.Duration > 0))
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

            var raw = times.Select(t => Choose(tracks, activity, t, step)).ToArray();
            var voted = raw.Select((_, i) => Vote(raw, times, i)).ToArray();
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
    private static double[] Activity(PersonTrack track, IReadOnlyList<TimeRange> speech)
    {
        var silent = track.Points.Where(p => p.Mouth is not null && !speech.Any(s => p.Time >= s.Start && p.Time < s.End)).Select(p => (double)p.Mouth!.Value).Order().ToList();
        var all = track.Points.Where(p => p.Mouth is not null).Select(p => (double)p.Mouth!.Value).Order().ToList();
        var rest = silent.Count >= 5 ? silent[silent.Count / 2] : all.Count >= 5 ? all[all.Count / 10] : 0;
        return [.. track.Points.Select(p => p.Mouth is { } m ? Math.Max(0, m - rest) : double.NaN)];
    }

    private static int? Choose(IReadOnlyList<PersonTrack> tracks, Dictionary<int, double[]> activity, double time, double step)
    {
        var scores = new List<(int Track, double Score)>();
        foreach (var track in tracks)
        {
            if (track.At(time, step) is null)
            {
                continue; // not on screen now
            }

            var values = activity[track.Id];
            double sum = 0;
            var count = 0;
            for (var i = 0; i < track.Points.Count; i++)
            {
                if (Math.Abs(track.Points[i].Time - time) <= WindowSeconds && !double.IsNaN(values[i]))
                {
                    sum += values[i];
                    count++;
                }
            }

            scores.Add((track.Id, count == 0 ? 0 : sum / count));
        }

        if (scores.Count == 0)
        {
            return null;
        }

        if (scores.Count == 1)
        {
            return scores[0].Track; // the only face on screen: the crop follows it whoever speaks
        }

        var ranked = scores.OrderByDescending(s => s.Score).ThenBy(s => s.Track).ToList();
        var best = ranked[0];
        return best.Score >= MinActivity && best.Score >= Margin * ranked[1].Score ? best.Track : null;
    }

    private static int? Vote(int?[] raw, List<double> times, int index)
    {
        var counts = new Dictionary<int, int>();
        var nulls = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (Math.Abs(times[i] - times[index]) > VoteSeconds)
            {
                continue;
            }

            if (raw[i] is { } track)
            {
                counts[track] = counts.GetValueOrDefault(track) + 1;
            }
            else
            {
                nulls++;
            }
        }

        var top = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).FirstOrDefault();
        if (counts.Count == 0 || top.Value < nulls)
        {
            return null;
        }

        // A tie keeps the sample's own choice when it is one of the tied.
        return raw[index] is { } own && counts.GetValueOrDefault(own) == top.Value ? own : top.Key;
    }
}
