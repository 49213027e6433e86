using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;
using Media.Pipelines.Speakers;

namespace Media.UnitTests.Render;

public sealed class SplitLayoutPlannerTests
{
    private static PersonTrack Person(int id, Func<double, float> x, float y = 0.3f) =>
        new(id, [.. Enumerable.Range(0, 80).Select(i => i / 8.0).Select(t => new TrackPoint(t, x(t), y, 0.1f, 0.2f, 1))]);

    [Fact]
    public void WindowSize_HalfTheOutputsShape_AtMostHalfTheSourceWide()
    {
        // 1080x960 halves (9:8): 960 px of a 1920 source is 853.3 high, floored to even.
        Assert.Equal((960, 852), SplitLayoutPlanner.WindowSize(1920, 1080, 1080, 1920));
        // A 4:3 source: half of 1440 is 720, 640 high.
        Assert.Equal((720, 640), SplitLayoutPlanner.WindowSize(1440, 1080, 1080, 1920));
    }

    [Fact]
    public void Plan_EachWindowHoldsItsPersonsFaceWhole_FaceAboveTheMiddle()
    {
        // The right person drifts from 0.70 to 0.80 of the width; the left one sits still, low in the frame.
        var people = new PeopleAnalysis(8, [Person(1, _ => 0.12f, y: 0.35f), Person(2, t => 0.70f + (float)(t / 100))], []);
        var reframe = new ReframeStep(ReframeMode.Speaker, Layout: ReframeLayout.Split);

        var layout = SplitLayoutPlanner.Plan(people, reframe, 10, [], 1920, 1080, 1080, 1920)!;

        Assert.Equal(new LayoutSpan(0, 10, LayoutKind.Split), Assert.Single(layout.Spans));
        foreach (var t in new[] { 0.0, 3.3, 6.1, 9.8 })
        {
            foreach (var (window, person) in new[] { (layout.Top, people.Tracks[0]), (layout.Bottom, people.Tracks[1]) })
            {
                var face = person.At(t, 0.2)!;
                var (left, top) = (window.X.OffsetAt(t), window.Y.OffsetAt(t));
                Assert.InRange(face.X * 1920, left, left + window.Width - (face.Width * 1920));
                Assert.InRange(face.Y * 1080, top, top + window.Height - (face.Height * 1080));
                Assert.InRange(left, 0, 1920 - window.Width + 0.01);
                Assert.InRange(top, 0, 1080 - window.Height + 0.01);
            }
        }

        // The left face's centre (0.45 of 1080 = 486) sits 40% down its window (852 high): top at 145.
        Assert.Equal(486 - (0.4 * 852), layout.Top.Y.OffsetAt(5), 0);
    }

    [Fact]
    public void Plan_NewPersonSeenLateAfterACut_TheWindowJumpsAtTheCut()
    {
        // Below: one guest until the cut at 4 s, another (farther left) first seen at 4.375 s.
        var host = Person(1, _ => 0.05f);
        var first = new PersonTrack(2, [.. host.Points.Where(p => p.Time < 3.95).Select(p => p with { X = 0.75f })]);
        var second = new PersonTrack(3, [.. host.Points.Where(p => p.Time >= 4.3).Select(p => p with { X = 0.55f })]);
        var people = new PeopleAnalysis(8, [host, first, second], []);

        var layout = SplitLayoutPlanner.Plan(people, new ReframeStep(ReframeMode.Face, Layout: ReframeLayout.Split), 10, [4.0], 1920, 1080, 1080, 1920)!;

        Assert.Equal(LayoutKind.Split, Assert.Single(layout.Spans).Kind);
        // Centre 0.8 of 1920 (window 960 wide, clamped at 960) before the cut, 0.6 (672) from the cut on: no slide.
        Assert.Equal(960, layout.Bottom.X.OffsetAt(3.9), 0);
        Assert.Equal(672, layout.Bottom.X.OffsetAt(4.01), 0);
        Assert.Equal(672, layout.Bottom.X.OffsetAt(6), 0);
    }

    [Fact]
    public void Plan_OnePersonOrSingleLayoutOrPortraitSource_NoLayout()
    {
        var two = new PeopleAnalysis(8, [Person(1, _ => 0.1f), Person(2, _ => 0.8f)], []);
        var split = new ReframeStep(ReframeMode.Speaker, Layout: ReframeLayout.Split);

        Assert.Null(SplitLayoutPlanner.Plan(two with { Tracks = [two.Tracks[0]] }, split, 10, [], 1920, 1080, 1080, 1920));
        Assert.Null(SplitLayoutPlanner.Plan(two, split with { Layout = ReframeLayout.Single }, 10, [], 1920, 1080, 1080, 1920));
        Assert.Null(SplitLayoutPlanner.Plan(two, split, 10, [], 1080, 1920, 1080, 1920));
    }

    [Fact]
    public void Enable_HalfOpenSpansOfOneKind_AndWithinKeepsOnlyTheRange()
    {
        var window = new MovingWindow(new CropPath(960, 852, true, [new(0, 0)]), new CropPath(960, 852, false, [new(0, 0)]));
        var layout = new SplitLayout(window, window, [new(1, 2.5, LayoutKind.Split), new(4, 6, LayoutKind.Wide), new(7, 9, LayoutKind.Split)]);

        // Half a millisecond early at both ends (times are rounded to the millisecond).
        Assert.Equal("gte(t,0.9995)*lt(t,2.4995)+gte(t,6.9995)*lt(t,8.9995)", layout.Enable(LayoutKind.Split));
        Assert.Equal("0", layout.Within(0, 0.9)?.Enable(LayoutKind.Split) ?? "0");
        Assert.Null(layout.Within(2.5, 4));
        Assert.Equal([LayoutKind.Wide], layout.Within(3, 6.5)!.Spans.Select(s => s.Kind));
        Assert.Equal((LayoutKind?)LayoutKind.Split, layout.At(1));
        Assert.Null(layout.At(2.5));
    }
}
