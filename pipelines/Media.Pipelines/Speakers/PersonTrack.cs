using System.Text.Json.Serialization;

namespace Media.Pipelines.Speakers;

/// <summary>One person's face across the samples of one shot, in time order; <see cref="Id"/> is unique within the analysis.</summary>
public sealed record PersonTrack(int Id, IReadOnlyList<TrackPoint> Points)
{
    [JsonIgnore]
    public double Start => Points[0].Time;

    [JsonIgnore]
    public double End => Points[^1].Time;

    /// <summary>The point nearest <paramref name="time"/> within <paramref name="tolerance"/> seconds, if any.</summary>
    public TrackPoint? At(double time, double tolerance)
    {
        if (Points.Count == 0 || time < Start - tolerance || time > End + tolerance)
        {
            return null;
        }

        // The first point at or after the time, then the nearer of it and the one before.
        var low = FirstAtOrAfter(time);
        TrackPoint? best = null;
        var bestDistance = tolerance;
        foreach (var i in new[] { low - 1, low })
        {
            if (i >= 0 && i < Points.Count && Math.Abs(Points[i].Time - time) <= bestDistance)
            {
                best = Points[i];
                bestDistance = Math.Abs(Points[i].Time - time);
            }
        }

        return best;
    }

    /// <summary>The index of the first point at or after <paramref name="time"/> (Points.Count when none is), by binary search.</summary>
    public int FirstAtOrAfter(double time)
    {
        var (low, high) = (0, Points.Count);
        while (low < high)
        {
            var mid = (low + high) / 2;
            (low, high) = Points[mid].Time < time ? (mid + 1, high) : (low, mid);
        }

        return low;
    }
}

/// <summary>A tracked face at one sample: its box in fractions of the frame and its mouth's movement (see <see cref="FaceSighting"/>).</summary>
public sealed record TrackPoint(double Time, float X, float Y, float Width, float Height, float? Mouth)
{
    [JsonIgnore]
    public float CenterX => X + (Width / 2);

    [JsonIgnore]
    public float CenterY => Y + (Height / 2);
}
