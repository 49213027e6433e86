using Media.Pipelines.FFmpeg;

namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>
/// The chosen frames at full resolution, all in one ffmpeg call: one input seek and one PNG output per time, each input
/// read for <see cref="WindowSeconds"/> only (unbounded, ffmpeg decodes on in every input while the others catch up).
/// </summary>
public static class ChosenFramesCommand
{
    /// <summary>Enough for a frame at any rate above 0.5 fps.</summary>
    public const double WindowSeconds = 2;

    public static FFmpegCommand Build(string input, IReadOnlyList<double> times, IReadOnlyList<string> pngPaths)
    {
        if (times.Count == 0 || times.Count != pngPaths.Count)
        {
            throw new ArgumentException("One output path per time is needed.", nameof(pngPaths));
        }

        static string[] Options() => ["-frames:v", "1", "-an", "-sn", "-c:v", "png", "-f", "image2", "-update", "1"];
        return new FFmpegCommand
        {
            Inputs = times.Select(t => new FFmpegInput(input) { Seek = TimeSpan.FromSeconds(t), Duration = TimeSpan.FromSeconds(WindowSeconds) }).ToList(),
            Maps = ["0:v:0"],
            OutputOptions = Options(),
            OutputPath = pngPaths[0],
            AdditionalOutputs = Enumerable.Range(1, times.Count - 1).Select(i => new FFmpegOutput([$"{i}:v:0"], Options(), pngPaths[i])).ToList(),
            ReportProgress = false,
        };
    }
}
