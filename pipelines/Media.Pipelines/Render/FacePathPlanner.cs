using Media.Pipelines.Analysis;

namespace Media.Pipelines.Render;

/// <summary>
/// Face track -> a crop path that keeps the speaker in frame without jitter: the window stays still while
/// the face is inside a dead zone around its centre, then moves toward it, easing in and never faster than
/// a set speed; samples without a face hold the last position. Pure: the same track gives the same path.
/// </summary>
public static class FacePathPlanner
{
    /// <param name="sourceWidth">Display width of the source.</param>
    /// <param name="sourceHeight">Display height of the source.</param>
    /// <param name="outputAspect">Output width / height.</param>
    /// <param name="maxPanPerSecond">Fastest move, in source widths (or heights) per second.</param>
    /// <param name="deadZone">Half-width of the still zone, as a fraction of the crop window.</param>
    /// <param name="cuts">Hard cuts (seconds): the window jumps to the new shot's face there instead of panning.</param>
    public static CropPath Plan(FaceTrack track, int sourceWidth, int sourceHeight, double outputAspect, double maxPanPerSecond, double deadZone, IReadOnlyList<double>? cuts = null)
    {
        var horizontal = (double)sourceWidth / sourceHeight >= outputAspect;
        var cropWidth = horizontal ? Even(sourceHeight * outputAspect) : sourceWidth;
        var cropHeight = horizontal ? sourceHeight : Even(sourceWidth / outputAspect);
        var span = horizontal ? sourceWidth : sourceHeight;
        var window = (double)(horizontal ? cropWidth : cropHeight) / span;

        // Centre of the face along the free axis, per sample (null: no face).
        var targets = new double?[track.Samples.Count];
        for (var i = 0; i < targets.Length; i++)
        {
            var s = track.Samples[i];
            targets[i] = s.Score > 0 ? (horizontal ? s.X + (s.Width / 2) : s.Y + (s.Height / 2)) : null;
        }

        var keyframes = Follow([.. track.Samples.Select(s => s.TimeSeconds)], targets, window, span, maxPanPerSecond / track.SampleRate, deadZone, cuts);
        return new CropPath(cropWidth, cropHeight, horizontal, keyframes);
    }

    /// <summary>
    /// One axis of a window following targets: keyframes of the window's offset (source pixels) at each sample time. The
    /// window stays still while its target is inside the dead zone, eases toward it (half the remaining way per sample,
    /// at most <paramref name="maxStep"/>) otherwise, holds where there is no target (leading gaps take the first), and
    /// jumps at cuts. Simplified: keyframes a straight line passes within 0.75 px are dropped.
    /// </summary>
    /// <param name="targets">Where the window's centre should be, as fractions of <paramref name="span"/>; null: hold.</param>
    /// <param name="window">The window's length along this axis, as a fraction of the span.</param>
    /// <param name="maxStep">The farthest the window moves from one sample to the next, as a fraction of the span.</param>
    public static List<CropKeyframe> Follow(IReadOnlyList<double> times, IReadOnlyList<double?> targets, double window, int span, double maxStep, double deadZone, IReadOnlyList<double>? cuts = null)
    {
        var half = window / 2;
        var first = targets.FirstOrDefault(t => t is not null) ?? 0.5;
        var centre = Math.Clamp(first, half, 1 - half);
        var target = first;
        var keyframes = new List<CropKeyframe>(targets.Count + 1);
        var pendingCuts = new Queue<double>((cuts ?? []).Order());
        for (var i = 0; i < targets.Count; i++)
        {
            var time = times[i];
            var cut = (double?)null;
            while (pendingCuts.Count > 0 && pendingCuts.Peek() <= time)
            {
                cut = pendingCuts.Dequeue();
            }

            if (cut is { } at && i > 0 && targets[i] is { } next)
            {
                // A new shot: a jump is invisible at a cut, a pan across it is not.
                keyframes.Add(new CropKeyframe(Math.Max(times[i - 1], at - 0.001), (centre - half) * span));
                centre = Math.Clamp(next, half, 1 - half);
                target = next;
                keyframes.Add(new CropKeyframe(Math.Max(times[i - 1] + 0.0005, at), (centre - half) * span));
            }

            target = targets[i] ?? target;
            var desired = Math.Abs(target - centre) > deadZone * window ? target : centre;
            var move = Math.Clamp((desired - centre) * 0.5, -maxStep, maxStep);
            centre = Math.Clamp(centre + move, half, 1 - half);
            keyframes.Add(new CropKeyframe(time, (centre - half) * span));
        }

        if (keyframes.Count == 0)
        {
            keyframes.Add(new CropKeyframe(0, (centre - half) * span));
        }

        return Simplify(keyframes, 0.75);
    }

    /// <summary>
    /// The crop window of the output's shape spanning one side of the source: whether it moves along x (it spans the
    /// height) and its length along that axis as a fraction of the source (unrounded: what decisions compare against).
    /// </summary>
    public static (bool Horizontal, double Window) Axis(int sourceWidth, int sourceHeight, double outputAspect)
    {
        var horizontal = (double)sourceWidth / sourceHeight >= outputAspect;
        return (horizontal, horizontal ? sourceHeight * outputAspect / sourceWidth : sourceWidth / outputAspect / sourceHeight);
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Floor(value / 2) * 2);

    // Ramer-Douglas-Peucker on (time, offset): drops keyframes the straight line already passes within tolerance pixels.
    private static List<CropKeyframe> Simplify(List<CropKeyframe> points, double tolerance)
    {
        if (points.Count <= 2)
        {
            return points;
        }

        var keep = new bool[points.Count];
        keep[0] = keep[^1] = true;
        var stack = new Stack<(int, int)>();
        stack.Push((0, points.Count - 1));
        while (stack.Count > 0)
        {
            var (a, b) = stack.Pop();
            var worst = -1;
            var worstDistance = tolerance;
            for (var i = a + 1; i < b; i++)
            {
                var expected = points[a].Offset + ((points[b].Offset - points[a].Offset) * (points[i].Time - points[a].Time) / (points[b].Time - points[a].Time));
                var distance = Math.Abs(points[i].Offset - expected);
                if (distance > worstDistance)
                {
                    worst = i;
                    worstDistance = distance;
                }
            }

            if (worst >= 0)
            {
                keep[worst] = true;
                stack.Push((a, worst));
                stack.Push((worst, b));
            }
        }

        return points.Where((_, i) => keep[i]).ToList();
    }
}
