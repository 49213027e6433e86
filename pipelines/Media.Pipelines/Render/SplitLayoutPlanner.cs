using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Speakers;

namespace Media.Pipelines.Render;

/// <summary>
/// The split layout's two windows: each the shape of half the output (the output's width, half its height), as large as
/// fits in half the source's width (so two people side by side each get one), following its person with the face path's
/// dead zone, easing and speed limit: the face centred across, and a little above the middle (<see cref="FaceHeight"/>),
/// the way a head-and-shoulders shot is framed. Windows hold outside the splits and jump (never pan) at scene cuts and
/// where a split starts. Pure: the same analysis gives the same layout.
/// </summary>
public static class SplitLayoutPlanner
{
    /// <summary>Where the face's centre sits in its window, from the top (a fraction of the window's height).</summary>
    public const double FaceHeight = 0.4;

    /// <returns>Null when no span asks for a split or wide picture, or the source is not wider than the output.</returns>
    public static SplitLayout? Plan(PeopleAnalysis people, ReframeStep reframe, double duration, IReadOnlyList<double> cuts, int sourceWidth, int sourceHeight, int outputWidth, int outputHeight)
    {
        var outputAspect = (double)outputWidth / outputHeight;
        if ((double)sourceWidth / sourceHeight < outputAspect || reframe.Layout == ReframeLayout.Single)
        {
            return null; // a crop of the full height cannot move sideways: nothing to stack
        }

        var singleWindow = sourceHeight * outputAspect / sourceWidth;
        var choices = LayoutPlanner.Plan(people, duration, cuts, reframe.Layout, singleWindow, reframe.MinShotSeconds);
        if (choices.Count == 0)
        {
            return null;
        }

        var (width, height) = WindowSize(sourceWidth, sourceHeight, outputWidth, outputHeight);
        var tracks = people.Tracks.ToDictionary(t => t.Id);
        var step = 1 / people.SampleRate;
        var times = Enumerable.Range(0, (int)Math.Ceiling(duration * people.SampleRate)).Select(k => k * step).ToList();
        var jumps = cuts.Concat(choices.Select(c => c.Span.Start)).Order().ToList();
        MovingWindow Follow(Func<LayoutChoice, int?> person)
        {
            var xs = new double?[times.Count];
            var ys = new double?[times.Count];
            var c = 0;
            for (var i = 0; i < times.Count; i++)
            {
                while (c < choices.Count && choices[c].Span.End <= times[i])
                {
                    c++;
                }

                if (c < choices.Count && choices[c].Span.Start <= times[i] && person(choices[c]) is { } id
                    && tracks.TryGetValue(id, out var track) && track.At(times[i], SpeakerFollow.HoldSeconds) is { } point)
                {
                    xs[i] = point.CenterX;
                    // The window's centre below the face, so the face sits at FaceHeight from the window's top.
                    ys[i] = point.CenterY + ((0.5 - FaceHeight) * height / sourceHeight);
                }
            }

            var maxStep = reframe.MaxPanPerSecond * step;
            return new MovingWindow(
                new CropPath(width, height, true, FacePathPlanner.Follow(times, xs, (double)width / sourceWidth, sourceWidth, maxStep, reframe.DeadZone, jumps)),
                new CropPath(width, height, false, FacePathPlanner.Follow(times, ys, (double)height / sourceHeight, sourceHeight, maxStep, reframe.DeadZone, jumps)));
        }

        return new SplitLayout(Follow(c => c.Top), Follow(c => c.Bottom), [.. choices.Select(c => c.Span)]);
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
