using System.CommandLine;
using System.Globalization;
using Media.Cli.Commands;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Bench;

/// <summary>
/// `media bench-variants`: three shapes of one edit (9:16, 1:1, 16:9) rendered by one ffmpeg (one decode, what a render
/// stage with variants runs) against three ffmpegs one after another (one render stage per output), on generated sources
/// (by default a 4K HEVC one, where decoding is dear, and a 1080p H.264 one). The commands are the farm's own (planned by
/// RenderPlanner, built by RenderCommandBuilder, joined by OneDecode); each source's runs alternate, and every output of
/// the one-decode run is checked against the separate render's, frame by frame. With --parts, the same for a long output
/// rendered in parts: each part's three shapes by one ffmpeg (what a video part stage with variants runs) against three.
/// </summary>
internal static class VariantBenchCommand
{
    private const string Pattern = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: three-shapes
        outputs:
          - { name: vertical, preset: tiktok }
          - { name: square, preset: tiktok, aspect: "1:1" }
          - { name: wide, preset: youtube }
        steps:
          - reframe: { mode: center }
          - text: { text: "One edit, three shapes", start: 1, end: 4 }
        """;

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of each generated source", DefaultValueFactory = _ => 60 };
        var repeat = new Option<int>("--repeat") { Description = "Runs of each way per source (median reported)", DefaultValueFactory = _ => 1 };
        var sources = new Option<string>("--sources") { Description = "Generated sources, WIDTHxHEIGHT:codec (hevc or h264), comma-separated", DefaultValueFactory = _ => "3840x2160:hevc,1920x1080:h264" };
        var parts = new Option<double>("--parts") { Description = "Also render the shapes in parts of this many seconds (a long output's video parts; 0: not)", DefaultValueFactory = _ => 20 };
        var command = new Command("bench-variants", "Three shapes of one edit: one ffmpeg (one decode) vs three, on a 4K HEVC and a 1080p H.264 source, whole and in parts") { seconds, repeat, sources, parts };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await RunAsync(parse.GetValue(seconds), Math.Max(1, parse.GetValue(repeat)), ParseSources(parse.GetValue(sources)!), Math.Max(0, parse.GetValue(parts)), cancellationToken);
            return 0;
        });
        return command;
    }

    private static List<(int Width, int Height, string Codec)> ParseSources(string text)
    {
        var sources = new List<(int, int, string)>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            var size = parts[0].Split('x');
            if (parts.Length != 2 || size.Length != 2 || !int.TryParse(size[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(size[1], CultureInfo.InvariantCulture, out var h)
                || w < 64 || h < 64 || w % 2 == 1 || h % 2 == 1 || parts[1] is not ("hevc" or "h264"))
            {
                throw new UsageException($"--sources: '{item}' is not WIDTHxHEIGHT:hevc or WIDTHxHEIGHT:h264 (even sizes of 64 or more).");
            }

            sources.Add((w, h, parts[1]));
        }

        return sources.Count > 0 ? sources : throw new UsageException("--sources: name at least one source.");
    }

    private static async Task RunAsync(double seconds, int repeat, IReadOnlyList<(int Width, int Height, string Codec)> sources, double partSeconds, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var prober = new MediaProber(runner, Options.Create(new ToolPaths()), Options.Create(new MediaLimits()));
        var pattern = PatternParser.Parse(Pattern).Pattern ?? throw new InvalidOperationException("The bench's pattern does not parse.");
        var scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "media-bench-variants-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            Console.WriteLine(Invariant($"# Three shapes of one edit ({string.Join(", ", pattern.Outputs.Select(o => $"{o.Name} {o.Width}x{o.Height}"))}), {seconds:0.#} s sources, {repeat} run(s) of each way, alternating; {Environment.ProcessorCount} cores"));
            foreach (var (width, height, codec) in sources)
            {
                var name = $"{width}x{height} {codec.ToUpperInvariant()}";
                var source = Path.Combine(scratch, $"source-{width}x{height}-{codec}.mp4");
                var generated = await FFmpegRuns.TimeAsync(runner, Generate(width, height, codec, seconds, source), cancellationToken);
                var probe = await prober.ProbeAsync(source, cancellationToken);
                Console.WriteLine(Invariant($"## {name}, {probe.DurationSeconds:0.#} s at {probe.FrameRate:0.##} fps (generated in {generated:0.0} s)"));

                var decode = await FFmpegRuns.TimeAsync(runner, ["-hide_banner", "-loglevel", "error", "-i", source, "-map", "0:v:0", "-f", "null", "-"], cancellationToken);
                var commands = new List<(FFmpegCommand Separate, FFmpegCommand Together)>();
                var plans = new List<(RenderPlan Plan, RenderAssets Assets)>();
                foreach (var output in pattern.Outputs)
                {
                    var plan = RenderPlanner.Plan(pattern, output, probe, null, new Dictionary<string, string>());
                    var written = await RenderFiles.WriteAsync(plan, scratch, FontLocator.Find(null), cancellationToken);
                    plans.Add((plan, written.Assets));
                    commands.Add((
                        RenderCommandBuilder.Build(plan, source, Path.Combine(scratch, $"{output.Name}.separate.mp4"), written.Assets),
                        RenderCommandBuilder.Build(plan, source, Path.Combine(scratch, $"{output.Name}.together.mp4"), written.Assets)));
                }

                var together = OneDecode.Combine([.. commands.Select(c => c.Together)]);
                var (three, one) = (new List<double>(), new List<double>());
                for (var i = 0; i < repeat; i++)
                {
                    var separate = 0.0;
                    foreach (var (command, _) in commands)
                    {
                        separate += await FFmpegRuns.TimeAsync(runner, command.ToArguments(), cancellationToken);
                    }

                    three.Add(separate);
                    one.Add(await FFmpegRuns.TimeAsync(runner, together.ToArguments(), cancellationToken));
                }

                var same = 0;
                foreach (var output in pattern.Outputs)
                {
                    same += await FFmpegRuns.DecodedMd5Async(runner, Path.Combine(scratch, $"{output.Name}.separate.mp4"), "0", cancellationToken)
                        == await FFmpegRuns.DecodedMd5Async(runner, Path.Combine(scratch, $"{output.Name}.together.mp4"), "0", cancellationToken) ? 1 : 0;
                }

                var (threeMedian, oneMedian) = (Percentiles.Median(three), Percentiles.Median(one));
                Console.WriteLine(Invariant($"decode alone (video, to null)          {decode,8:0.00} s"));
                Console.WriteLine(Invariant($"three ffmpegs, one per output          median {threeMedian,8:0.00} s   1.00x"));
                Console.WriteLine(Invariant($"one ffmpeg, one decode, three encoders median {oneMedian,8:0.00} s   {threeMedian / oneMedian:0.00}x ({name})"));
                Console.WriteLine(Invariant($"outputs identical to the separate renders (decoded picture and sound): {same}/{pattern.Outputs.Count}"));
                if (partSeconds > 0)
                {
                    await PartsAsync(runner, source, plans, partSeconds, repeat, scratch, name, cancellationToken);
                }
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // The shapes as a long output's video parts: per part, one ffmpeg for the three (a part stage with variants) against
    // three (a part stage per output), summed over the parts; each part of the one-decode run checked against the
    // separate one.
    private static async Task PartsAsync(ToolRunner runner, string source, IReadOnlyList<(RenderPlan Plan, RenderAssets Assets)> plans, double partSeconds, int repeat, string scratch, string name, CancellationToken cancellationToken)
    {
        var length = plans.Max(p => RenderCommandBuilder.MainLength(p.Plan));
        var ranges = RenderChunks.Ranges(length, 1e-3, partSeconds);
        if (ranges.Count == 0)
        {
            Console.WriteLine(Invariant($"in parts of {partSeconds:0.#} s: the {length:0.#} s output is one part; nothing to compare"));
            return;
        }

        var runs = ranges.Select((r, i) =>
        {
            string Path(RenderPlan plan, string way) => System.IO.Path.Combine(scratch, $"{plan.OutputName}.part{i}.{way}.mp4");
            // Each shape's part ends where that shape ends, as the part stage cuts it.
            double End(RenderPlan plan) => Math.Min(r.End, RenderCommandBuilder.MainLength(plan));
            var separate = plans.Select(p => RenderCommandBuilder.BuildVideoPart(p.Plan, source, Path(p.Plan, "separate"), r.Start, End(p.Plan), p.Assets)).ToList();
            var together = OneDecode.Combine([.. plans.Select(p => RenderCommandBuilder.BuildVideoPart(p.Plan, source, Path(p.Plan, "together"), r.Start, End(p.Plan), p.Assets))]);
            return (Separate: separate, Together: together, Outputs: plans.Select(p => (Path(p.Plan, "separate"), Path(p.Plan, "together"))).ToList());
        }).ToList();
        var (three, one) = (new List<double>(), new List<double>());
        for (var i = 0; i < repeat; i++)
        {
            var (separate, together) = (0.0, 0.0);
            foreach (var run in runs)
            {
                // Alternating which way goes first, part by part.
                foreach (var first in (bool[])(i % 2 == 0 ? [true, false] : [false, true]))
                {
                    if (first)
                    {
                        foreach (var command in run.Separate)
                        {
                            separate += await FFmpegRuns.TimeAsync(runner, (await command.WithLongGraphInFileAsync(scratch, cancellationToken)).ToArguments(), cancellationToken);
                        }
                    }
                    else
                    {
                        together += await FFmpegRuns.TimeAsync(runner, (await run.Together.WithLongGraphInFileAsync(scratch, cancellationToken)).ToArguments(), cancellationToken);
                    }
                }
            }

            three.Add(separate);
            one.Add(together);
        }

        var same = 0;
        foreach (var (separate, together) in runs.SelectMany(r => r.Outputs))
        {
            same += await FFmpegRuns.DecodedMd5Async(runner, separate, "0", cancellationToken) == await FFmpegRuns.DecodedMd5Async(runner, together, "0", cancellationToken) ? 1 : 0;
        }

        var (threeMedian, oneMedian) = (Percentiles.Median(three), Percentiles.Median(one));
        Console.WriteLine(Invariant($"in {ranges.Count} parts of {partSeconds:0.#} s: three ffmpegs per part median {threeMedian,8:0.00} s   1.00x"));
        Console.WriteLine(Invariant($"in {ranges.Count} parts of {partSeconds:0.#} s: one ffmpeg per part   median {oneMedian,8:0.00} s   {threeMedian / oneMedian:0.00}x ({name}, parts)"));
        Console.WriteLine(Invariant($"parts identical to the separate renders (decoded picture): {same}/{runs.Sum(r => r.Outputs.Count)}"));
    }

    // A moving test pattern with a tone, 30 fps; HEVC by libx265, H.264 by libx264.
    private static string[] Generate(int width, int height, string codec, double seconds, string path) =>
    [
        "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", Invariant($"testsrc2=size={width}x{height}:rate=30:duration={seconds}"),
        "-f", "lavfi", "-i", Invariant($"sine=frequency=440:duration={seconds}"),
        .. codec == "hevc"
            ? new[] { "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1" }
            : ["-c:v", "libx264", "-preset", "veryfast"],
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
    ];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
