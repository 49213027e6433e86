using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class LoudnessTests
{
    [Fact]
    public void Integrated_SteadyLevel_IsThatLevel()
    {
        Assert.Equal(-20, LoudnessMath.Integrated(Enumerable.Repeat(-20.0, 50).ToList()), 6);
    }

    [Fact]
    public void Integrated_SilenceAndQuietBlocks_AreGatedOut()
    {
        // -70 absolute gate drops silence; the -10 LU relative gate drops the -40 blocks next to -20 speech.
        var blocks = Enumerable.Repeat(-20.0, 30).Concat(Enumerable.Repeat(-120.0, 30)).Concat(Enumerable.Repeat(-40.0, 30)).ToList();

        Assert.Equal(-20, LoudnessMath.Integrated(blocks), 6);
        Assert.True(double.IsNaN(LoudnessMath.Integrated(Enumerable.Repeat(-120.0, 10).ToList())));
    }

    [Fact]
    public void Integrated_OverRanges_UsesOnlyBlocksWhollyInside()
    {
        // 0-2 s at -30, 2-4 s at -10 (block i ends at (i + 1) * 0.1 s).
        var momentary = Enumerable.Range(0, 40).Select(i => i < 20 ? -30.0 : -10.0).ToList();
        var analysis = new LoudnessAnalysis(0, 0.1, momentary);

        Assert.Equal(-10, LoudnessMath.Integrated(analysis, [new TimeRange(2, 4)]), 6);
        Assert.Equal(-30, LoudnessMath.Integrated(analysis, [new TimeRange(0, 2)]), 6);
    }

    [Fact]
    public void MomentaryLog_ParsesFramesAndSilence_IntoTenthSecondSteps()
    {
        string[] lines =
        [
            "frame:0    pts:0       pts_time:0",
            "lavfi.r128.M=-inf",
            "frame:1    pts:4800    pts_time:0.1",
            "lavfi.r128.M=-120.7",
            "frame:5    pts:19200   pts_time:0.4",
            "lavfi.r128.M=-23.5",
            "frame:9    pts:43200   pts_time:0.9",
            "lavfi.r128.M=-21.25",
        ];

        var loudness = MomentaryLoudnessLog.Parse(lines, 1.0);

        Assert.Equal(10, loudness.Momentary.Count);
        Assert.Equal([-120.7, -120.7, -120.7, -23.5, -23.5, -23.5, -23.5, -23.5, -21.25, -21.25], loudness.Momentary);
        Assert.Equal(0.1, loudness.StepSeconds);
        Assert.InRange(loudness.IntegratedLufs, -23.5, -21.25);
    }
}
