using Media.Pipelines.Analysis;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Shots -> the one face a crop follows at each sample (as a <see cref="FaceTrack"/>, so the face path planner smooths
/// it like any face), and the times the crop must cut rather than pan: a change of shot between people farther apart
/// than half the crop window. Where the followed person is not seen the sample is empty and the crop holds; before
/// anyone has spoken it follows the largest face.
/// </summary>
public static class SpeakerFollow
{
    public static (FaceTrack Track, IReadOnlyList<double> Cuts) Follow(PeopleAnalysis people, IReadOnlyList<SpeakerShot> shots, FaceTrack largest, double windowFraction, bool horizontal)
    {
        var tracks = people.Tracks.ToDictionary(t => t.Id);
        var tolerance = 0.6 / people.SampleRate;
        var samples = new List<FaceSample>(largest.Samples.Count);
        var shotIndex = 0;
        var spoken = false;
        foreach (var sample in largest.Samples)
        {
            while (shotIndex < shots.Count - 1 && sample.TimeSeconds >= shots[shotIndex].End)
            {
                shotIndex++;
            }

            var followed = shots.Count > 0 && shots[shotIndex].Track is { } id && tracks.TryGetValue(id, out var track) ? track : null;
            spoken |= followed is not null;
            if (followed?.At(sample.TimeSeconds, tolerance) is { } point)
            {
                samples.Add(new FaceSample(sample.TimeSeconds, point.X, point.Y, point.Width, point.Height, 1));
            }
            else
            {
                samples.Add(spoken ? sample with { X = 0, Y = 0, Width = 0, Height = 0, Score = 0 } : sample);
            }
        }

        var cuts = new List<double>();
        for (var i = 1; i < shots.Count; i++)
        {
            var before = Centre(tracks, shots[i - 1].Track, shots[i].Start, horizontal, back: true);
            var after = Centre(tracks, shots[i].Track, shots[i].Start, horizontal, back: false);
            if (before is { } a && after is { } b && Math.Abs(a - b) > windowFraction / 2)
            {
                cuts.Add(shots[i].Start);
            }
        }

        return (new FaceTrack(largest.Model, largest.SampleRate, samples), cuts);
    }

    // The followed face's centre along the crop's free axis just before (or after) a time.
    private static double? Centre(Dictionary<int, PersonTrack> tracks, int? id, double time, bool horizontal, bool back)
    {
        if (id is not { } key || !tracks.TryGetValue(key, out var track))
        {
            return null;
        }

        var point = back ? track.Points.LastOrDefault(p => p.Time <= time) ?? track.Points[0] : track.Points.FirstOrDefault(p => p.Time >= time) ?? track.Points[^1];
        return horizontal ? point.CenterX : point.CenterY;
    }
}
