using Media.Pipelines.Analysis;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

public sealed class FacePathPlannerTests
{
    private const int Width = 1280;
    private const int Height = 720;
    private const double Vertical = 9.0 / 16;

    private static FaceTrack Track(Func<double, double?> centreAt, double seconds = 20)
    {
        var samples = new List<FaceSample>();
        for (var i = 0; i < seconds * 2; i++)
        {
            var t = i / 2.0;
            samples.Add(centreAt(t) is { } c ? new FaceSample(t, (float)(c - 0.05), 0.3f, 0.1f, 0.2f, 0.9f) : new FaceSample(t, 0, 0, 0, 0, 0));
        }

        return new FaceTrack("test", 2, samples);
    }

    [Fact]
    public void Plan_JitteryStillFace_WindowDoesNotMove()
    {
        var random = new Random(3);
        var track = Track(_ => 0.3 + ((random.NextDouble() - 0.5) * 0.02));

        var path = FacePathPlanner.Plan(track, Width, Height, Vertical, 0.3, 0.1);

        Assert.Equal((404, 720, true), (path.CropWidth, path.CropHeight, path.Horizontal));
        Assert.Single(path.Keyframes.Select(k => Math.Round(k.Offset, 3)).Distinct());
        Assert.DoesNotContain("clip", path.Expression(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_FaceWalksAcross_KeptInFrameWithBoundedSteps()
    {
        // Walks from 20% to 80% of the width over 20 s, disappears for 2 s on the way.
        var track = Track(t => t is > 8 and < 10 ? null : 0.2 + (0.6 * t / 20));

        var path = FacePathPlanner.Plan(track, Width, Height, Vertical, 0.3, 0.1);

        var inside = track.Samples.Where(s => s.Score > 0).Count(s =>
        {
            var left = path.OffsetAt(s.TimeSeconds) / Width;
            var right = left + ((double)path.CropWidth / Width);
            return s.X >= left && s.X + s.Width <= right;
        });
        Assert.True(inside >= 0.98 * track.Samples.Count(s => s.Score > 0), $"face inside the crop on {inside} samples");
        var perFrame = 0.3 * Width / 30;
        for (var t = 0.0; t < 20; t += 1 / 30.0)
        {
            Assert.True(Math.Abs(path.OffsetAt(t + (1 / 30.0)) - path.OffsetAt(t)) <= perFrame + 0.01, $"jump at {t:0.00}s");
        }

        Assert.All(path.Keyframes, k => Assert.InRange(k.Offset, 0, Width - path.CropWidth));
    }

    [Fact]
    public void Plan_HardCutToAnotherSpeaker_JumpsAtTheCutInsteadOfPanning()
    {
        var track = Track(t => t < 3 ? 0.25 : 0.75, seconds: 6);

        var path = FacePathPlanner.Plan(track, Width, Height, Vertical, 0.3, 0.1, cuts: [3.0]);

        Assert.Equal(0.25 * Width - 202, path.OffsetAt(2.99), 0);
        Assert.Equal(0.75 * Width - 202, path.OffsetAt(3.0), 0);
        Assert.Equal(0.75 * Width - 202, path.OffsetAt(5.5), 0);
        var panning = FacePathPlanner.Plan(track, Width, Height, Vertical, 0.3, 0.1);
        Assert.True(panning.OffsetAt(3.5) < 0.75 * Width - 202 - 100, "without the cut the window pans slowly");
    }

    [Fact]
    public void Expression_FlatSumOfClippedSlopes_MatchesOffsetAt()
    {
        var path = new CropPath(404, 720, true, [new(0, 100), new(2, 300), new(5, 300), new(6, 150)]);

        Assert.Equal("100+100*clip(t-0,0,2)-150*clip(t-5,0,1)", path.Expression());
        Assert.Equal(200, path.OffsetAt(1), 6);
        Assert.Equal(300, path.OffsetAt(4), 6);
        Assert.Equal(150, path.OffsetAt(60), 6);
    }

    [Fact]
    public void Expression_ManyKeyframes_ABalancedTreeOfFlatSums()
    {
        // ffmpeg refuses an expression tree about 100 deep; a flat sum of n terms is n deep.
        var path = new CropPath(202, 360, true, [.. Enumerable.Range(0, 2000).Select(i => new CropKeyframe(i * 0.5, i % 2 == 0 ? 10 : 400))]);

        var expression = path.Expression();

        int depth = 0, deepest = 0;
        foreach (var c in expression)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            deepest = Math.Max(deepest, depth);
        }

        // Every keyframe's slope is there, grouped in halves (a group and a clip() per level: about log2(2000 / 16) levels).
        Assert.Equal(1999, System.Text.RegularExpressions.Regex.Count(expression, @"\*clip\("));
        Assert.StartsWith("(", expression, StringComparison.Ordinal);
        Assert.InRange(deepest, 2, 12);
    }

    [Fact]
    public void Within_KeepsTheSpansKeyframes_AndThePathInside()
    {
        var path = new CropPath(404, 720, true, [new(0, 100), new(2, 300), new(5, 300), new(6, 150), new(100, 150)]);

        var clip = path.Within(1, 5.5);

        Assert.Equal([new(1, 200), new(2, 300), new(5, 300), new(5.5, 225)], clip.Keyframes);
        foreach (var t in new[] { 1.0, 1.7, 3, 5.2, 5.5 })
        {
            Assert.Equal(path.OffsetAt(t), clip.OffsetAt(t), 6);
        }
    }

    [Fact]
    public void Plan_PortraitSourceToLandscape_MovesVertically()
    {
        var track = Track(_ => 0.5);

        var path = FacePathPlanner.Plan(track, 720, 1280, 16.0 / 9, 0.3, 0.1);

        Assert.Equal((720, 404, false), (path.CropWidth, path.CropHeight, path.Horizontal));
    }
}
