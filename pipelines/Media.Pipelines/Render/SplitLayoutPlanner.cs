using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Speakers;

namespace Media.Pipelines.Render;

/// <summary>
/// The split layout's two windows: each the shape of half the output (the output's width, half its height), as large as
/// fits in half the source's width (so two people side by side each get one), following its person with the face path's
/// dead zone, easing and speed limit: the face centred across, and a little above the middle (<see cref="FaceHeight"/>),
/// the way a head-and-shoulders shot is framed. Each window follows the person the layout pairs at each sample (the left
/// one on top); it jumps (never pans) at scene cuts and where a split starts, to where its person is first seen in that
/// split. Outside the splits the windows are not shown. Pure: the same analysis gives the same layout.
/// </summary>
public static class SplitLayoutPlanner
{
    /// <summary>Where the face's centre sits in its window, from the top (a fraction of the window's height).</summary>
    public const double FaceHeight = 0.4;

    /// <returns>Null when no span asks for a split or wide picture, or the source is not wider than the output.</returns>
    public static SplitLayout? Plan(PeopleAnalysis people, ReframeStep reframe, double duration, IReadOnlyList<double> cuts, int sourceWidth, int sourceHeight, int outputWidth, int outputHeight)
    {
        var (horizontal, singleWindow) = FacePathPlanner.Axis(sourceWidth, sourceHeight, (double)outputWidth / outputHeight);
        if (!horizontal || reframe.Layout == ReframeLayout.Single)
        {
            return null; // a crop of the full height cannot move sideways: nothing to stack
        }

        var layout = LayoutPlanner.Plan(people, duration, cuts, reframe.Layout, singleWindow, reframe.MinShotSeconds);
        if (layout.Spans.Count == 0)
        {
            return null;
        }

        var (width, height) = WindowSize(sourceWidth, sourceHeight, outputWidth, outputHeight);
        var tracks = people.Tracks.ToDictionary(t => t.Id);
        var step = 1 / people.SampleRate;
        var times = Enumerable.Range(0, layout.Pairs.Count).Select(k => k * step).ToList();
        var splits = layout.Spans.Where(s => s.Kind == LayoutKind.Split).ToList();
        var jumps = cuts.Concat(splits.Select(s => s.Start)).Order().ToList();
        MovingWindow Follow(Func<LayoutPair, int> person)
        {
            var xs = new double?[times.Count];
            var ys = new double?[times.Count];
            foreach (var span in splits)
            {
                for (var k = (int)Math.Ceiling(span.Start / step); k < times.Count && times[k] < span.End; k++)
                {
                    if (layout.Pairs[k] is { } pair && tracks.TryGetValue(person(pair), out var track) && track.At(times[k], SpeakerFollow.HoldSeconds) is { } point)
                    {
                        xs[k] = point.CenterX;
                        // The window's centre below the face, so the face sits at FaceHeight from the window's top.
                        ys[k] = point.CenterY + ((0.5 - FaceHeight) * height / sourceHeight);
                    }
                }
            }

            // After a jump (a split's start, a scene cut inside one) the samples before the person is first seen take
            // that first sighting, so the window jumps there instead of sliding over from where it was.
            foreach (var jump in jumps)
            {
                if (splits.FirstOrDefault(s => s.Start <= jump && jump < s.End) is not { } span)
                {
                    continue;
                }

                var first = (int)Math.Ceiling((jump / step) - 1e-9);
                var found = first;
                while (found < times.Count && times[found] < span.End && xs[found] is null)
                {
                    found++;
                }

                for (var k = first; k < found && found < times.Count && times[found] < span.End; k++)
                {
                    (xs[k], ys[k]) = (xs[found], ys[found]);
                }
            }

            var maxStep = reframe.MaxPanPerSecond * step;
            return new MovingWindow(
                new CropPath(width, height, true, FacePathPlanner.Follow(times, xs, (double)width / sourceWidth, sourceWidth, maxStep, reframe.DeadZone, jumps)),
                new CropPath(width, height, false, FacePathPlanner.Follow(times, ys, (double)height / sourceHeight, sourceHeight, maxStep, reframe.DeadZone, jumps)));
        }

        return new SplitLayout(Follow(p => p.Top), Follow(p => p.Bottom), layout.Spans);
    }

    /// <summary>One half's window in source pixels: the shape of half the output, as wide as half the source at most.</summary>
    public static (int Width, int Height) WindowSize(int sourceWidth, int sourceHeight, int outputWidth, int outputHeight)
    {
        var aspect = outputWidth / (outputHeight / 2.0);
        var width = Math.Min(sourceWidth / 2.0, sourceHeight * aspect);
        return (Even(width), Even(width / aspect));
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Floor(value / 2) * 2);
}
