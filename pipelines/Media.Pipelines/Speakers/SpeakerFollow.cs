using Media.Pipelines.Analysis;

namespace Media.Pipelines.Speakers;

/// <summary>
/// Shots -> the one face a crop follows at each sample (as a <see cref="FaceTrack"/>, so the face path planner smooths
/// it like any face), and the times the crop must cut rather than pan: a change of shot between faces farther apart
/// than half the crop window. A shot with nobody to follow takes the largest face. A followed person missed on a
/// sample takes their nearest sighting within <see cref="HoldSeconds"/> (so a cut lands on them even when the
/// detector missed the switch's own frame); beyond that the crop holds.
/// </summary>
public static class SpeakerFollow
{
    public const double HoldSeconds = 0.5;

    public static (FaceTrack Track, IReadOnlyList<double> Cuts) Follow(PeopleAnalysis people, IReadOnlyList<SpeakerShot> shots, FaceTrack largest, double windowFraction, bool horizontal)
    {
        var tracks = people.Tracks.ToDictionary(t => t.Id);
        var samples = new List<FaceSample>(largest.Samples.Count);
        var shotIndex = 0;
        foreach (var sample in largest.Samples)
        {
            while (shotIndex < shots.Count - 1 && sample.TimeSeconds >= shots[shotIndex].End)
            {
                shotIndex++;
            }

            var followed = shots.Count > 0 && shots[shotIndex].Track is { } id && tracks.TryGetValue(id, out var track) ? track : null;
            samples.Add(followed is null
                ? sample
                : followed.At(sample.TimeSeconds, HoldSeconds) is { } point
                    ? new FaceSample(sample.TimeSeconds, point.X, point.Y, point.Width, point.Height, 1)
                    : sample with { X = 0, Y = 0, Width = 0, Height = 0, Score = 0 });
        }

        var cuts = new List<double>();
        for (var i = 1; i < shots.Count; i++)
        {
            var before = Centre(tracks, shots[i - 1].Track, largest, shots[i].Start, horizontal);
            var after = Centre(tracks, shots[i].Track, largest, shots[i].Start, horizontal);
            if (before is { } a && after is { } b && Math.Abs(a - b) > windowFraction / 2)
            {
                cuts.Add(shots[i].Start);
            }
        }

        return (new FaceTrack(largest.Model, largest.SampleRate, samples), cuts);
    }

    // The centre (along the crop's free axis) of the face a shot follows, nearest a time: its person's, or the largest.
    private static double? Centre(Dictionary<int, PersonTrack> tracks, int? id, FaceTrack largest, double time, bool horizontal)
    {
        if (id is { } key && tracks.TryGetValue(key, out var track) && track.At(time, double.MaxValue) is { } point)
        {
            return horizontal ? point.CenterX : point.CenterY;
        }

        var sample = largest.Samples.Where(s => s.Score > 0).MinBy(s => Math.Abs(s.TimeSeconds - time));
        return sample is null ? null : horizontal ? sample.CenterX : sample.Y + (sample.Height / 2);
    }
}
