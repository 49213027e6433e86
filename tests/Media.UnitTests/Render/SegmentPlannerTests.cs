using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

public sealed class SegmentPlannerTests
{
    private static readonly SpeechAnalysis Speech = new("vad", [new(1.0, 3.0), new(3.3, 5.0), new(8.0, 9.0)]);

    [Fact]
    public void Plan_NoSteps_IsTheWholeSource()
    {
        var segments = SegmentPlanner.Plan(EditSteps.Default, 12, null, 600);

        Assert.Equal([new PlannedSegment(0, 12, 1)], segments);
    }

    [Fact]
    public void Plan_JumpCuts_KeepSpeechWithPaddingAndShortPauses()
    {
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep(MinSilenceSeconds: 0.5, PaddingSeconds: 0.1) };

        var segments = SegmentPlanner.Plan(steps, 10, Speech, 600);

        // The 0.3 s pause (3.0-3.3) stays; the 3 s pause goes.
        Assert.Equal([new PlannedSegment(0.9, 5.1, 1), new PlannedSegment(7.9, 9.1, 1)], segments);
    }

    [Fact]
    public void Plan_JumpCutsWithSpeedUp_PausesKeptButPlayedFast()
    {
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep(0.5, 0.1, SpeedUp: 4) };

        var segments = SegmentPlanner.Plan(steps, 10, Speech, 600);

        Assert.Equal([(0.9, 5.1, 1.0), (5.1, 7.9, 4.0), (7.9, 9.1, 1.0)], segments.Select(s => (s.Start, s.End, s.Speed)));
        Assert.Equal(4.2 + 0.7 + 1.2, segments.Sum(s => s.OutputDuration), 6);
    }

    [Fact]
    public void Plan_TrimThenJumpCuts_SpeechIsClippedToTheTrim()
    {
        var steps = EditSteps.Default with { Trim = new TrimStep(2, 8.5), JumpCuts = new JumpCutsStep(0.5, 0.1) };

        var segments = SegmentPlanner.Plan(steps, 10, Speech, 600);

        Assert.Equal([new PlannedSegment(2, 5.1, 1), new PlannedSegment(7.9, 8.5, 1)], segments);
    }

    [Fact]
    public void Plan_JumpCutsOnSilentSource_KeepsEverything()
    {
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep() };

        Assert.Equal([new PlannedSegment(0, 6, 1)], SegmentPlanner.Plan(steps, 6, new SpeechAnalysis("vad", []), 600));
    }

    [Fact]
    public void Plan_PunchInEveryFourSeconds_SplitsContiguouslyAndAlternatesZoom()
    {
        var steps = EditSteps.Default with { PunchIn = new PunchInStep(1.2, 4, false) };

        var segments = SegmentPlanner.Plan(steps, 10, null, 600);

        Assert.Equal([new PlannedSegment(0, 4, 1), new PlannedSegment(4, 8, 1.2), new PlannedSegment(8, 10, 1)], segments);
    }

    [Fact]
    public void Plan_PunchInEveryFewSecondsOnAnHour_PiecesWithinTheLimit_TheWholeSourceKept()
    {
        // Every 4 s of an hour would be 900 pieces: the punch-ins come every 12.04 s instead (3600 s / 299), and nothing
        // is dropped.
        var steps = EditSteps.Default with { PunchIn = new PunchInStep(1.2, 4, false) };

        var segments = SegmentPlanner.Plan(steps, 3600, null, 7200);

        Assert.InRange(segments.Count, 2, SegmentPlanner.MaxSegments);
        Assert.Equal((0.0, 3600.0), (segments[0].Start, segments[^1].End));
        Assert.All(segments.Zip(segments.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start, 6));
        Assert.Equal(3600 / 299.0, segments[0].Duration, 6);
    }

    [Fact]
    public void Plan_PunchInAtCuts_ZoomsEveryOtherPiece()
    {
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep(0.2, 0), PunchIn = new PunchInStep(1.1, null, true) };

        var segments = SegmentPlanner.Plan(steps, 10, Speech, 600);

        Assert.Equal([1, 1.1, 1], segments.Select(s => s.Zoom));
    }

    [Fact]
    public void Plan_LongerThanThePlatformAllows_CutAtTheLimitCountingSpeed()
    {
        var steps = EditSteps.Default with { Speed = 2 };

        var segments = SegmentPlanner.Plan(steps, 100, null, 30);

        Assert.Equal([new PlannedSegment(0, 60, 1)], segments);
    }

    [Fact]
    public void Plan_ThousandsOfPauses_MergedDownToTheLimit()
    {
        var speech = new SpeechAnalysis("vad", Enumerable.Range(0, 1000).Select(i => new TimeRange(i * 2.0, (i * 2.0) + 1)).ToList());
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep(0.5, 0) };

        var segments = SegmentPlanner.Plan(steps, 2000, speech, 7200);

        Assert.Equal(SegmentPlanner.MaxSegments, segments.Count);
        Assert.All(segments.Zip(segments.Skip(1)), pair => Assert.True(pair.Second.Start >= pair.First.End));
    }

    [Fact]
    public void Plan_TrimBeyondTheSource_ClearError()
    {
        var steps = EditSteps.Default with { Trim = new TrimStep(30, null) };

        var ex = Assert.Throws<Media.Pipelines.Probe.InvalidMediaException>(() => SegmentPlanner.Plan(steps, 10, null, 600));

        Assert.Contains("nothing is left to render", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Fillers_CutIntoTheQuietButNeverIntoANeighbour()
    {
        var steps = EditSteps.Default with { JumpCuts = new JumpCutsStep(0.5, 0.1) { Fillers = JumpCutsStep.DefaultFillers } };
        Media.Pipelines.Speech.Word[] words =
        [
            new("So", 1.0, 1.3, 0.9), new("um,", 1.3, 1.5, 0.4), new("I", 1.5, 1.6, 0.9), // touching its neighbours: cut exactly
            new("think", 2.0, 2.4, 0.9), new("Uh", 2.7, 2.9, 0.4), new("yes", 3.2, 3.5, 0.9), // pauses around it: widened into them
        ];

        var segments = SegmentPlanner.Plan(steps, 10, new SpeechAnalysis("vad", [new TimeRange(1, 3.5)]), 600, words: words);

        Assert.Equal([(0.9, 1.3), (1.5, 2.66), (2.94, 3.6)], segments.Select(s => (Math.Round(s.Start, 3), Math.Round(s.End, 3))));
        Assert.Equal([new TimeRange(1.3, 1.5), new TimeRange(2.66, 2.94)], SegmentPlanner.FillerSpans(words, JumpCutsStep.DefaultFillers).Select(r => new TimeRange(Math.Round(r.Start, 3), Math.Round(r.End, 3))));
    }
}
