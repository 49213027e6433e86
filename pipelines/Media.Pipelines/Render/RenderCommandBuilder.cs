using Media.Pipelines.FFmpeg;
using Media.Pipelines.Patterns;

namespace Media.Pipelines.Render;

/// <summary>
/// Render plan -> one ffmpeg invocation: one decode, one filter graph, one encode.
/// </summary>
public static class RenderCommandBuilder
{
    public const string VideoLabel = "v";
    public const string AudioLabel = "a";

    public static FFmpegCommand Build(RenderPlan plan, string inputPath, string outputPath)
    {
        var inputs = new List<FFmpegInput> { new(inputPath) };
        var chains = new List<FilterChain>();
        chains.AddRange(VideoChains(plan));

        if (plan.SourceHasAudio)
        {
            chains.Add(new FilterChain(["0:a:0"], AudioFilters(plan), [AudioLabel]));
        }
        else
        {
            // Generated silence, cut to the video's length inside the graph (no -shortest guesswork).
            inputs.Add(new FFmpegInput(Filter.Of("anullsrc", ("r", 48000), ("cl", "stereo")).Render()) { Format = "lavfi" });
            chains.Add(new FilterChain(["1:a"], [Filter.Of("atrim", ("duration", plan.DurationSeconds)), .. AudioFilters(plan)], [AudioLabel]));
        }

        var preset = plan.Preset;
        var options = new List<string>
        {
            "-t", FFmpegFormat.Seconds(plan.DurationSeconds),
            "-c:v", "libx264",
            "-preset", preset.X264Preset,
            "-crf", FFmpegFormat.Number(preset.Crf),
            "-maxrate", $"{preset.MaxBitrateKbps}k",
            "-bufsize", $"{preset.MaxBitrateKbps * 2}k",
            "-profile:v", preset.Profile,
            "-level:v", preset.Level,
            "-pix_fmt", "yuv420p",
            "-g", FFmpegFormat.Number(preset.FrameRate * 2),
            "-c:a", "aac",
            "-b:a", $"{preset.AudioBitrateKbps}k",
            "-ar", "48000",
            "-ac", "2",
            // Source metadata (GPS, device names) is not ours to publish.
            "-map_metadata", "-1",
            "-movflags", "+faststart",
            "-f", "mp4",
        };

        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = [$"[{VideoLabel}]", $"[{AudioLabel}]"],
            OutputOptions = options,
            OutputPath = outputPath,
        };
    }

    private static IEnumerable<FilterChain> VideoChains(RenderPlan plan)
    {
        var w = plan.Width;
        var h = plan.Height;
        var finish = new[]
        {
            Filter.Of("setsar", ("sar", 1)),
            Filter.Of("fps", ("fps", plan.Preset.FrameRate)),
            Filter.Of("format", ("pix_fmts", "yuv420p")),
        };

        switch (plan.Reframe)
        {
            case ReframeMode.Center:
                yield return new FilterChain(
                    ["0:v:0"],
                    [
                        Filter.Of("scale", ("w", w), ("h", h), ("force_original_aspect_ratio", "increase")),
                        Filter.Of("crop", ("w", w), ("h", h)),
                        .. finish,
                    ],
                    [VideoLabel]);
                break;
            case ReframeMode.BlurFill:
                yield return new FilterChain(["0:v:0"], [Filter.Of("split", ("outputs", 2))], ["bg", "fg"]);
                // Blur a small copy and scale it up: same look as blurring at full size, a fraction of the cost.
                yield return new FilterChain(
                    ["bg"],
                    [
                        Filter.Of("scale", ("w", w / 4), ("h", h / 4), ("force_original_aspect_ratio", "increase")),
                        Filter.Of("crop", ("w", w / 4), ("h", h / 4)),
                        Filter.Of("boxblur", ("luma_radius", 10), ("luma_power", 2)),
                        Filter.Of("scale", ("w", w), ("h", h)),
                    ],
                    ["bgb"]);
                yield return new FilterChain(
                    ["fg"],
                    [Filter.Of("scale", ("w", w), ("h", h), ("force_original_aspect_ratio", "decrease"), ("force_divisible_by", 2))],
                    ["fgs"]);
                yield return new FilterChain(
                    ["bgb", "fgs"],
                    [new Filter("overlay", [new("x", "(W-w)/2"), new("y", "(H-h)/2")]), .. finish],
                    [VideoLabel]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(plan), plan.Reframe, "Unknown reframe mode.");
        }
    }

    private static Filter[] AudioFilters(RenderPlan plan) =>
    [
        Filter.Of("aresample", ("out_sample_rate", 48000)),
        Filter.Of("aformat", ("sample_fmts", "fltp"), ("channel_layouts", "stereo")),
    ];
}
