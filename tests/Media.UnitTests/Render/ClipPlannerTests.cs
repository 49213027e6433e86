using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

public sealed class ClipPlannerTests
{
    [Fact]
    public void Choose_DensestSpeechWindowsFirst_NonOverlappingOnSpeechBoundaries()
    {
        // 0-60 s sparse talk (2 s of speech every 10 s), 60-120 s dense talk (4 s of speech every 5 s).
        var segments = Enumerable.Range(0, 6).Select(i => new TimeRange(i * 10.0, (i * 10.0) + 2))
            .Concat(Enumerable.Range(0, 12).Select(i => new TimeRange(60 + (i * 5.0), 64 + (i * 5.0))))
            .ToList();

        var clips = ClipPlanner.Choose(new ClipsStep(2, 15, 30), 120, new SpeechAnalysis("vad", segments));

        Assert.Equal([1, 2], clips.Select(c => c.Rank));
        Assert.All(clips, c => Assert.InRange(c.End - c.Start, 15, 30));
        Assert.All(clips, c => Assert.True(c.Start >= 59.8, $"clip at {c.Start} is in the sparse part"));
        Assert.True(clips[0].End <= clips[1].Start || clips[1].End <= clips[0].Start);
        Assert.All(clips, c => Assert.Contains(segments, s => Math.Abs(s.Start - 0.1 - c.Start) < 1e-9));
        Assert.StartsWith("speech ", clips[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_NoSpeech_ConsecutiveWindowsSoTheJobStillDelivers()
    {
        var clips = ClipPlanner.Choose(new ClipsStep(3, 10, 20), 50, new SpeechAnalysis("vad", []));

        Assert.Equal([(0.0, 20.0), (20.0, 40.0), (40.0, 50.0)], clips.Select(c => (c.Start, c.End)));
        Assert.All(clips, c => Assert.Equal(0, c.Score));
    }

    [Fact]
    public void Choose_ShortSource_FewerClipsThanAsked()
    {
        var clips = ClipPlanner.Choose(new ClipsStep(3, 20, 55), 30, new SpeechAnalysis("vad", [new(1, 29)]));

        Assert.Single(clips);
    }
}
