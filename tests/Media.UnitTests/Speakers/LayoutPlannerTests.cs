using Media.Pipelines.Patterns;
using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class LayoutPlannerTests
{
    // A 1920x1080 source cropped to 9:16: the single window is 607/1920 of the width.
    private const double Window = 0.316;

    private static PersonTrack Person(int id, float x, double from = 0, double to = 10, float width = 0.1f) =>
        new(id, [.. Enumerable.Range(0, 81).Select(i => i / 8.0).Where(t => t >= from && t <= to).Select(t => new TrackPoint(t, x, 0.3f, width, 0.2f, 1))]);

    private static IReadOnlyList<LayoutChoice> Plan(ReframeLayout layout, IReadOnlyList<double>? cuts = null, params PersonTrack[] tracks) =>
        LayoutPlanner.Plan(new PeopleAnalysis(8, tracks, []), 10, cuts ?? [], layout, Window, 2);

    [Fact]
    public void TwoPeopleFarApart_OneSplitOverTheWholeSource_LeftOnTop()
    {
        var choices = Plan(ReframeLayout.Split, null, Person(7, 0.7f), Person(3, 0.15f));

        var only = Assert.Single(choices);
        Assert.Equal(new LayoutSpan(0, 10, LayoutKind.Split), only.Span);
        Assert.Equal((3, 7), (only.Top, only.Bottom));
    }

    [Fact]
    public void OnePerson_OrTwoThatOneCropHolds_NoSpans()
    {
        Assert.Empty(Plan(ReframeLayout.Split, null, Person(1, 0.4f)));
        // Faces from 0.40 to 0.62 of the width: 0.22 < the window's 0.316.
        Assert.Empty(Plan(ReframeLayout.Auto, null, Person(1, 0.40f), Person(2, 0.52f)));
        Assert.Empty(Plan(ReframeLayout.Single, null, Person(1, 0.1f), Person(2, 0.8f)));
    }

    [Fact]
    public void SecondPersonJoinsAtASceneCut_SplitStartsOnTheCut()
    {
        // One person until the cut at 4 s, two after it (the new track's first sample is at 4.125 s).
        var choices = Plan(ReframeLayout.Split, [4.0], Person(1, 0.15f), Person(2, 0.75f, from: 4.1));

        Assert.Equal(new LayoutSpan(4, 10, LayoutKind.Split), Assert.Single(choices).Span);
    }

    [Fact]
    public void ShortMissOrPasserBy_DoesNotFlickerTheLayout()
    {
        // The right person's track breaks for 0.6 s (the detector lost him); a third face passes for 1 s.
        var choices = Plan(ReframeLayout.Split, null, Person(1, 0.15f), Person(2, 0.75f, to: 5), Person(3, 0.76f, from: 5.6), Person(4, 0.45f, from: 7, to: 8));

        Assert.Equal(2, choices.Count);
        // The 0.5 s with one person joins the longer split before it: the layout changes once, where the pair does.
        Assert.Equal((0.0, 5.562, 1, 2), (choices[0].Span.Start, choices[0].Span.End, choices[0].Top, choices[0].Bottom));
        Assert.Equal((10.0, 1, 3), (choices[1].Span.End, choices[1].Top, choices[1].Bottom));
        Assert.Equal(choices[0].Span.End, choices[1].Span.Start);
    }

    [Fact]
    public void ThreePeople_AutoIsWide_SplitTakesTheTwoLargest()
    {
        PersonTrack[] three = [Person(1, 0.1f, width: 0.12f), Person(2, 0.45f, width: 0.08f), Person(3, 0.8f, width: 0.1f)];

        Assert.Equal(LayoutKind.Wide, Assert.Single(Plan(ReframeLayout.Auto, null, three)).Span.Kind);
        var split = Assert.Single(Plan(ReframeLayout.Split, null, three));
        Assert.Equal((LayoutKind.Split, 1, 3), (split.Span.Kind, split.Top, split.Bottom));
    }

    [Fact]
    public void SmallFaceInTheBackground_IsNotAGuest()
    {
        // A face a third the width of the host's is not counted: one person, one crop.
        Assert.Empty(Plan(ReframeLayout.Auto, null, Person(1, 0.3f, width: 0.15f), Person(2, 0.8f, width: 0.05f)));
    }
}
