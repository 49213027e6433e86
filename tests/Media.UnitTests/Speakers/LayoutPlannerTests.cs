using Media.Pipelines.Patterns;
using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class LayoutPlannerTests
{
    // A 1920x1080 source cropped to 9:16: the single window is 607/1920 of the width.
    private const double Window = 0.316;

    private static PersonTrack Person(int id, float x, double from = 0, double to = 10, float width = 0.1f) =>
        new(id, [.. Enumerable.Range(0, 81).Select(i => i / 8.0).Where(t => t >= from && t <= to).Select(t => new TrackPoint(t, x, 0.3f, width, 0.2f, 1))]);

    private static LayoutPlan Plan(ReframeLayout layout, IReadOnlyList<double>? cuts = null, params PersonTrack[] tracks) =>
        LayoutPlanner.Plan(new PeopleAnalysis(8, tracks, []), 10, cuts ?? [], layout, Window, 2);

    [Fact]
    public void TwoPeopleFarApart_OneSplitOverTheWholeSource_LeftOnTop()
    {
        var plan = Plan(ReframeLayout.Split, null, Person(7, 0.7f), Person(3, 0.15f));

        Assert.Equal(new LayoutSpan(0, 10, LayoutKind.Split), Assert.Single(plan.Spans));
        Assert.Equal(80, plan.Pairs.Count);
        Assert.All(plan.Pairs, p => Assert.Equal(new LayoutPair(3, 7), p));
    }

    [Fact]
    public void OnePerson_OrTwoThatOneCropHolds_NoSpans()
    {
        Assert.Empty(Plan(ReframeLayout.Split, null, Person(1, 0.4f)).Spans);
        // Faces from 0.40 to 0.62 of the width: 0.22 < the window's 0.316.
        Assert.Empty(Plan(ReframeLayout.Auto, null, Person(1, 0.40f), Person(2, 0.52f)).Spans);
        Assert.Empty(Plan(ReframeLayout.Single, null, Person(1, 0.1f), Person(2, 0.8f)).Spans);
    }

    [Fact]
    public void SecondPersonJoinsAtASceneCut_SplitStartsOnTheCut()
    {
        // One person until the cut at 4 s, two after it (the new track's first sample is at 4.125 s).
        var plan = Plan(ReframeLayout.Split, [4.0], Person(1, 0.15f), Person(2, 0.75f, from: 4.1));

        Assert.Equal(new LayoutSpan(4, 10, LayoutKind.Split), Assert.Single(plan.Spans));
    }

    [Fact]
    public void ShortMissOrPasserBy_DoesNotFlickerTheLayout()
    {
        // The right person's track breaks for 0.6 s (the detector lost him; a new track follows); a third face passes
        // for 1 s between them.
        var plan = Plan(ReframeLayout.Split, null, Person(1, 0.15f), Person(2, 0.75f, to: 5), Person(3, 0.76f, from: 5.6), Person(4, 0.45f, from: 7, to: 8));

        // The 0.5 s with one person joins the split: one span throughout, each sample pairing the people on screen.
        Assert.Equal(new LayoutSpan(0, 10, LayoutKind.Split), Assert.Single(plan.Spans));
        Assert.Equal(new LayoutPair(1, 2), plan.Pairs[8]);
        Assert.Null(plan.Pairs[42]);
        Assert.Equal(new LayoutPair(1, 3), plan.Pairs[70]);
    }

    [Fact]
    public void ShortSplitAmongLongSingles_JoinsTheCrop()
    {
        // A second person on screen for 1 s only (under the 2 s minimum): no split.
        Assert.Empty(Plan(ReframeLayout.Split, null, Person(1, 0.15f), Person(2, 0.75f, from: 4, to: 5)).Spans);
    }

    [Fact]
    public void ThreePeople_AutoIsWide_SplitTakesTheTwoLargest()
    {
        PersonTrack[] three = [Person(1, 0.1f, width: 0.12f), Person(2, 0.45f, width: 0.08f), Person(3, 0.8f, width: 0.1f)];

        Assert.Equal(LayoutKind.Wide, Assert.Single(Plan(ReframeLayout.Auto, null, three).Spans).Kind);
        var split = Plan(ReframeLayout.Split, null, three);
        Assert.Equal(LayoutKind.Split, Assert.Single(split.Spans).Kind);
        Assert.Equal(new LayoutPair(1, 3), split.Pairs[40]);
    }

    [Fact]
    public void SmallFaceInTheBackground_IsNotAGuest()
    {
        // A face a third the width of the host's is not counted: one person, one crop.
        Assert.Empty(Plan(ReframeLayout.Auto, null, Person(1, 0.3f, width: 0.15f), Person(2, 0.8f, width: 0.05f)).Spans);
    }
}
