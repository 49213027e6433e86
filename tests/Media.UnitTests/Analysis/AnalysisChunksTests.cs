using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class AnalysisChunksTests
{
    // duration, chunk after, chunk seconds -> range edges (start of each, then the end of the last); empty: one pass
    [Theory]
    [InlineData(44, 40, 12, new[] { 0.0, 12, 24, 36, 44 })]
    [InlineData(300, 300, 120, new double[0])] // not longer than the threshold
    [InlineData(3600, 0, 120, new double[0])] // chunking off
    [InlineData(130, 100, 120, new[] { 0.0, 120, 130 })] // at least two chunks once over the threshold
    [InlineData(1210.5, 300, 120, new[] { 0.0, 120, 240, 360, 480, 600, 720, 840, 960, 1080, 1210.5 })] // the remainder joins the last
    [InlineData(600, 300, 150, new[] { 0.0, 152, 304, 456, 600 })] // edges on the 4 s grid
    public void Ranges_OnTheGrid_CoverTheSourceOnce(double duration, double after, double seconds, double[] edges)
    {
        var ranges = AnalysisChunks.Ranges(duration, after, seconds);

        Assert.Equal(edges, ranges.Count == 0 ? [] : [.. ranges.Select(r => r.Start), ranges[^1].End]);
        Assert.All(ranges.Zip(ranges.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        Assert.All(ranges.SkipLast(1), r => Assert.Equal(0, r.End % AnalysisChunks.GridSeconds));
    }

    [Fact]
    public void PartIds_BelongToTheirAnalyzeStageOnly()
    {
        var id = AnalysisChunks.PartStageId("job_1.analyze", 3);

        Assert.Equal("job_1.analyze.part03", id);
        Assert.True(AnalysisChunks.IsPartOf("job_1.analyze", id));
        Assert.False(AnalysisChunks.IsPartOf("job_1.analyze2", id));
        Assert.Equal("jobs/job_1/parts/job_1.analyze.part03.json", AnalysisChunks.PartKey("jobs/job_1", id));
    }

    [Fact]
    public void Commands_DecodeOnlyTheWindow_FromTheLead()
    {
        var audio = AnalysisCommands.Audio("/in/a.mp4", "/w/loud.txt", "/w/s.f32", new DecodeWindow(112, 252)).ToArguments().ToList();
        var video = AnalysisCommands.Video("/in/a.mp4", 144, "/w/f.rgb", "/w/scenes.txt", new DecodeWindow(0, 120)).ToArguments().ToList();

        // Seek before the input (fast, then exact) and a duration; the first chunk starts at 0 without a seek.
        Assert.Equal(["-ss", "112", "-t", "140", "-i", "/in/a.mp4"], audio[audio.IndexOf("-ss")..(audio.IndexOf("-i") + 2)]);
        Assert.DoesNotContain("-ss", video);
        Assert.Equal(["-t", "120", "-i", "/in/a.mp4"], video[video.IndexOf("-t")..(video.IndexOf("-i") + 2)]);
    }
}
