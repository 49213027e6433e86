using System.Globalization;
using Media.Pipelines.Tools;

namespace Media.Bench;

/// <summary>
/// A long source built from the real shared media: the two talking heads and the ten-speaker montage joined (one size,
/// one rate), then looped to length by stream copy. Speech, faces and scene cuts all occur in it.
/// </summary>
internal static class LongSource
{
    public static readonly string[] Parts = ["talking_head/obama_wh_weekly_address_a.mp4", "derived/grid_montage_10speakers_30s.mp4", "talking_head/obama_wh_weekly_address_b.mp4"];

    public static string Describe => string.Join(" + ", Parts.Select(Path.GetFileName));

    public static async Task<string> BuildAsync(ToolRunner runner, string media, string work, double minutes, CancellationToken cancellationToken)
    {
        var joined = Path.Combine(work, "joined.mp4");
        var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        foreach (var part in Parts)
        {
            arguments.AddRange(["-i", Path.Combine(media, part)]);
        }

        var filter = string.Concat(Parts.Select((_, i) => $"[{i}:v]scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:-1:-1,fps=25,setsar=1[v{i}];[{i}:a]aresample=44100,aformat=channel_layouts=stereo[a{i}];"))
            + string.Concat(Parts.Select((_, i) => $"[v{i}][a{i}]")) + $"concat=n={Parts.Length}:v=1:a=1[v][a]";
        arguments.AddRange(["-filter_complex", filter, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-c:a", "aac", joined]);
        await runner.RunAsync("ffmpeg", arguments, cancellationToken);
        return await LoopAsync(runner, joined, Path.Combine(work, "long.mp4"), minutes, cancellationToken);
    }

    /// <summary>A clip looped to <paramref name="minutes"/> by stream copy.</summary>
    public static async Task<string> LoopAsync(ToolRunner runner, string clip, string looped, double minutes, CancellationToken cancellationToken)
    {
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", clip, "-t", (minutes * 60).ToString(CultureInfo.InvariantCulture), "-c", "copy", looped], cancellationToken);
        return looped;
    }
}
