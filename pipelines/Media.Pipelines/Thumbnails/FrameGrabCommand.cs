using Media.Pipelines.FFmpeg;

namespace Media.Pipelines.Thumbnails;

/// <summary>One still frame as PNG, taken with an input seek (keyframe jump, then decode only up to the time).</summary>
public static class FrameGrabCommand
{
    public static FFmpegCommand Build(string inputPath, TimeSpan at, string pngPath) => new()
    {
        Inputs = [new FFmpegInput(inputPath) { Seek = at }],
        OutputOptions = ["-frames:v", "1", "-an", "-sn", "-c:v", "png", "-f", "image2"],
        OutputPath = pngPath,
        ReportProgress = false,
    };
}
