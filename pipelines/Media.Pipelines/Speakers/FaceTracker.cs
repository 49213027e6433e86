namespace Media.Pipelines.Speakers;

/// <summary>
/// Faces per sampled frame -> tracks, one per person and shot. A face continues the track whose last box is nearest
/// (centres closer than <see cref="MaxJump"/> face widths, sizes within a factor of <see cref="MaxSizeRatio"/>);
/// a track survives misses up to <see cref="MaxMissSeconds"/> and ends at a scene cut; tracks shorter than
/// <see cref="MinTrackSeconds"/> (a false detection, a face passing by) are dropped. Pure: the same frames give the
/// same tracks, so a chunked analysis merged and a single pass agree.
/// </summary>
public static class FaceTracker
{
    public const double MaxJump = 0.6;
    public const double MaxSizeRatio = 1.6;
    public const double MaxMissSeconds = 1.0;
    public const double MinTrackSeconds = 0.5;

    public static IReadOnlyList<PersonTrack> Track(IReadOnlyList<FaceFrame> frames, IReadOnlyList<double>? sceneCuts = null)
    {
        var cuts = (sceneCuts ?? []).Order().ToArray();
        var open = new List<List<TrackPoint>>();
        var closed = new List<List<TrackPoint>>();
        var cutIndex = 0;
        foreach (var frame in frames.OrderBy(f => f.TimeSeconds))
        {
            // A cut between the last sample and this one ends every track: the next shot's faces are new people to the crop.
            var cutHere = false;
            while (cutIndex < cuts.Length && cuts[cutIndex] <= frame.TimeSeconds)
            {
                cutHere = true;
                cutIndex++;
            }

            if (cutHere)
            {
                closed.AddRange(open);
                open.Clear();
            }

            closed.AddRange(open.Where(t => frame.TimeSeconds - t[^1].Time > MaxMissSeconds));
            open.RemoveAll(t => frame.TimeSeconds - t[^1].Time > MaxMissSeconds);

            // Greedy by distance over every (track, face) pair that may continue: nearest pairs first.
            var pairs = new List<(double Distance, int Track, int Face)>();
            for (var t = 0; t < open.Count; t++)
            {
                for (var f = 0; f < frame.Faces.Count; f++)
                {
                    if (Distance(open[t][^1], frame.Faces[f]) is { } d)
                    {
                        pairs.Add((d, t, f));
                    }
                }
            }

            var takenTracks = new bool[open.Count];
            var takenFaces = new bool[frame.Faces.Count];
            foreach (var (_, t, f) in pairs.OrderBy(p => p.Distance).ThenBy(p => p.Track).ThenBy(p => p.Face))
            {
                if (!takenTracks[t] && !takenFaces[f])
                {
                    takenTracks[t] = takenFaces[f] = true;
                    open[t].Add(Point(frame.TimeSeconds, frame.Faces[f]));
                }
            }

            for (var f = 0; f < frame.Faces.Count; f++)
            {
                if (!takenFaces[f])
                {
                    // A new track's first mouth value compared it with whatever was there before (another shot, or
                    // nobody): not this person's movement.
                    open.Add([Point(frame.TimeSeconds, frame.Faces[f]) with { Mouth = null }]);
                }
            }
        }

        closed.AddRange(open);
        var id = 0;
        return [.. closed
            .Where(t => t[^1].Time - t[0].Time >= MinTrackSeconds)
            .OrderBy(t => t[0].Time).ThenBy(t => t[0].CenterX)
            .Select(t => new PersonTrack(++id, t))];
    }

    private static TrackPoint Point(double time, FaceSighting face) => new(time, face.X, face.Y, face.Width, face.Height, face.Mouth);

    private static double? Distance(TrackPoint last, FaceSighting face)
    {
        var size = Math.Max(last.Width, face.Width);
        var ratio = Math.Max(last.Width, face.Width) / Math.Max(1e-6, Math.Min(last.Width, face.Width));
        var distance = Math.Sqrt(Math.Pow(last.CenterX - face.CenterX, 2) + Math.Pow(last.CenterY - face.CenterY, 2)) / Math.Max(1e-6, size);
        return distance <= MaxJump && ratio <= MaxSizeRatio ? distance : null;
    }
}
