using System.CommandLine;
using System.Globalization;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Bench;

/// <summary>
/// `media bench-late-clip`: a clip from late in a long source, rendered by the farm's command (which reads the source from
/// a second before the clip) against the same command reading the source from its start (what every render did before),
/// alternating; then the two outputs compared frame by frame and sample by sample.
/// </summary>
internal static class LateClipBenchCommand
{
    public static Command Create()
    {
        var clip = SharedMedia.ClipOption("Loop this clip into the long source (default: the shared Obama clip)");
        var minutes = new Option<double>("--minutes") { Description = "Length of the long source", DefaultValueFactory = _ => 20 };
        var at = new Option<double>("--at") { Description = "Where the clip starts, as a share of the source (0-1)", DefaultValueFactory = _ => 0.75 };
        var length = new Option<double>("--length") { Description = "Clip length, seconds", DefaultValueFactory = _ => 30 };
        var repeat = new Option<int>("--repeat") { Description = "Runs of each way (median reported)", DefaultValueFactory = _ => 2 };
        var command = new Command("bench-late-clip", "A clip from late in a long source: read from just before it vs decoded from the start") { clip, minutes, at, length, repeat };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await RunAsync(SharedMedia.ClipOrDefault(parse.GetValue(clip)).FullName, parse.GetValue(minutes), Math.Clamp(parse.GetValue(at), 0, 1), parse.GetValue(length), Math.Max(1, parse.GetValue(repeat)), cancellationToken);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(string clip, double minutes, double at, double length, int repeat, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "media-bench-late-clip-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var source = await LongSource.LoopAsync(runner, clip, Path.Combine(scratch, "long.mp4"), minutes, cancellationToken);
            var probe = await new MediaProber(runner, Options.Create(new ToolPaths()), Options.Create(new MediaLimits())).ProbeAsync(source, cancellationToken);
            var start = Math.Round(Math.Min(at * probe.DurationSeconds, Math.Max(0, probe.DurationSeconds - length)), 1);
            var pattern = PatternParser.Parse(Invariant($$"""
                apiVersion: media.farm/v1
                kind: Pattern
                name: late-clip
                outputs: [{ name: clip, preset: tiktok }]
                steps:
                  - trim: { start: {{start}}, duration: {{length}} }
                  - reframe: { mode: center }
                  - text: { text: "A late clip", start: 0.5, end: 3 }
                """)).Pattern ?? throw new InvalidOperationException("The bench's pattern does not parse.");
            var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], probe);
            var written = await RenderFiles.WriteAsync(plan, scratch, FontLocator.Find(null), cancellationToken);
            var late = RenderCommandBuilder.Build(plan, source, Path.Combine(scratch, "late.mp4"), written.Assets);
            var whole = RenderCommandBuilder.Build(plan, source, Path.Combine(scratch, "whole.mp4"), written.Assets, seek: 0);
            Console.WriteLine(Invariant($"# {Path.GetFileName(clip)} looped to {probe.DurationSeconds / 60:0.#} min ({probe.Width}x{probe.Height} {probe.VideoCodec}); a {plan.MainDurationSeconds:0.#} s clip from {start:0.#} s to {plan.OutputName} {plan.Width}x{plan.Height}; {repeat} run(s) of each way, alternating"));
            var (fromStart, fromClip) = (new List<double>(), new List<double>());
            for (var i = 0; i < repeat; i++)
            {
                fromStart.Add(await FFmpegRuns.TimeAsync(runner, whole.ToArguments(), cancellationToken));
                fromClip.Add(await FFmpegRuns.TimeAsync(runner, late.ToArguments(), cancellationToken));
            }

            var (a, b) = (Percentiles.Median(fromStart), Percentiles.Median(fromClip));
            Console.WriteLine(Invariant($"source decoded from its start             median {a,8:0.00} s   1.00x"));
            Console.WriteLine(Invariant($"source read from {RenderCommandBuilder.SourceSeek(plan),8:0.#} s (the farm)   median {b,8:0.00} s   {a / b:0.00}x"));
            var (wholeFile, lateFile) = (Path.Combine(scratch, "whole.mp4"), Path.Combine(scratch, "late.mp4"));
            var picture = await FFmpegRuns.DecodedMd5Async(runner, wholeFile, "0:v:0", cancellationToken) == await FFmpegRuns.DecodedMd5Async(runner, lateFile, "0:v:0", cancellationToken);
            Console.WriteLine($"decoded picture identical: {(picture ? "yes" : "NO")}");
            if (await FFmpegRuns.DecodedMd5Async(runner, wholeFile, "0:a:0", cancellationToken) == await FFmpegRuns.DecodedMd5Async(runner, lateFile, "0:a:0", cancellationToken))
            {
                Console.WriteLine("decoded sound identical: yes");
            }
            else
            {
                // aresample's drift compensation (SourceTimeline) starts at the seek instead of the source's start, so where the
                // source's audio timestamps jump (a looped file's joins) the samples can sit a little elsewhere: how far.
                var offset = LargestOffsetMs(await PcmAsync(runner, wholeFile, cancellationToken), await PcmAsync(runner, lateFile, cancellationToken));
                Console.WriteLine(Invariant($"decoded sound identical: no; largest offset from the whole-source render {offset:0.00} ms"));
            }

            if (Environment.GetEnvironmentVariable("MEDIA_BENCH_KEEP") is { Length: > 0 } keep)
            {
                File.Copy(Path.Combine(scratch, "whole.mp4"), Path.Combine(keep, "whole.mp4"), overwrite: true);
                File.Copy(Path.Combine(scratch, "late.mp4"), Path.Combine(keep, "late.mp4"), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // The sound as 48 kHz mono samples.
    private static async Task<short[]> PcmAsync(ToolRunner runner, string path, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-"], cancellationToken,
            readStdout: stream => stream.CopyToAsync(buffer, cancellationToken));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(buffer.ToArray()).ToArray();
    }

    // For each 100 ms window of the reference, the shift (within ±5 ms) that best matches the other; the largest, in ms.
    private static double LargestOffsetMs(short[] reference, short[] other)
    {
        const int Window = 4800, Reach = 240;
        var largest = 0;
        for (var start = Reach; start + Window + Reach <= Math.Min(reference.Length, other.Length); start += Window)
        {
            var (best, bestLag) = (long.MaxValue, 0);
            for (var lag = -Reach; lag <= Reach; lag++)
            {
                long sum = 0;
                for (var i = start; i < start + Window && sum < best; i++)
                {
                    sum += Math.Abs(reference[i] - other[i + lag]);
                }

                if (sum < best || (sum == best && Math.Abs(lag) < Math.Abs(bestLag)))
                {
                    (best, bestLag) = (sum, lag);
                }
            }

            largest = Math.Max(largest, Math.Abs(bestLag));
        }

        return largest * 1000.0 / 48000;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
