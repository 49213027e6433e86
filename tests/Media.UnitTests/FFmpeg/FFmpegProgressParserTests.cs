using Media.Pipelines.FFmpeg;

namespace Media.UnitTests.FFmpeg;

public sealed class FFmpegProgressParserTests
{
    [Fact]
    public void Feed_BlockOfLines_ReturnsSnapshotOnProgressLine()
    {
        var parser = new FFmpegProgressParser();
        string[] lines = ["frame=120", "fps=29.5", "out_time_us=4000000", "out_time=00:00:04.000000", "speed=1.25x"];

        Assert.All(lines, line => Assert.Null(parser.Feed(line)));
        var progress = parser.Feed("progress=continue");

        Assert.NotNull(progress);
        Assert.Equal(TimeSpan.FromSeconds(4), progress.OutTime);
        Assert.Equal(29.5, progress.Fps);
        Assert.Equal(1.25, progress.Speed);
        Assert.False(progress.IsEnd);
    }

    [Fact]
    public void Feed_NotAvailableValues_KeepsLastKnown()
    {
        var parser = new FFmpegProgressParser();
        parser.Feed("out_time_us=2000000");
        parser.Feed("progress=continue");
        parser.Feed("out_time_us=N/A");
        parser.Feed("speed=N/A");

        var progress = parser.Feed("progress=end");

        Assert.NotNull(progress);
        Assert.True(progress.IsEnd);
        Assert.Equal(TimeSpan.FromSeconds(2), progress.OutTime);
    }

    [Fact]
    public void Feed_GarbageLine_IsIgnored()
    {
        Assert.Null(new FFmpegProgressParser().Feed("not a key value line"));
    }
}
