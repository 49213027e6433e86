using Media.Pipelines.Thumbnails;

namespace Media.UnitTests.FFmpeg;

public sealed class FrameGrabCommandTests
{
    [Fact]
    public void Build_SeeksBeforeInput_AndTakesOneFrame()
    {
        var args = FrameGrabCommand.Build("/v.mp4", TimeSpan.FromSeconds(1.5), "/f.png").ToArguments();

        Assert.Equal(["-hide_banner", "-nostats", "-loglevel", "warning", "-y", "-ss", "1.5", "-i", "/v.mp4", "-frames:v", "1", "-an", "-sn", "-c:v", "png", "-f", "image2", "/f.png"], args);
    }
}
