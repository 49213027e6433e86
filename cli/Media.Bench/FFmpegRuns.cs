using System.Diagnostics;
using Media.Pipelines.Tools;

namespace Media.Bench;

/// <summary>What the render benches do with ffmpeg besides rendering: time a run, and fingerprint what an output decodes to.</summary>
internal static class FFmpegRuns
{
    /// <summary>Seconds one ffmpeg run takes, start to exit.</summary>
    public static async Task<double> TimeAsync(ToolRunner runner, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await runner.RunAsync("ffmpeg", arguments, cancellationToken);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>The MD5 of the decoded streams <paramref name="map"/> selects ("0": all of them; "0:a:0": the sound).</summary>
    public static async Task<string> DecodedMd5Async(ToolRunner runner, string path, string map, CancellationToken cancellationToken) =>
        (await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", path, "-map", map, "-f", "md5", "-"], cancellationToken, captureStdout: true)).Stdout.Trim();
}
