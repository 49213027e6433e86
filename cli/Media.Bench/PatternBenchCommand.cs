using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Media.Cli.Client;
using Media.Client;
using Media.Cli.Commands;
using Media.Cli.Hosting;
using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Media.Pipelines.Fonts;

namespace Media.Bench;

/// <summary>
/// `media bench-patterns`: a pattern's single-pass render (the farm's render stage) against (1) the same
/// generated ffmpeg command run bare, and (2) the naive way: one ffmpeg per step with intermediate files
/// (reframe, then cuts and punch-ins, then text, then loudness), all on the same clip, alternating.
/// </summary>
internal static class PatternBenchCommand
{
    public static Command Create()
    {
        var clip = SharedMedia.ClipOption("A talking-head clip (default: the shared Obama clip, looped to --seconds)");
        var seconds = new Option<double>("--seconds") { Description = "Loop the clip up to this length first", DefaultValueFactory = _ => 30 };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions (median reported)", DefaultValueFactory = _ => 3 };
        var pattern = new Option<string>("--pattern") { Description = "Pattern to render", DefaultValueFactory = _ => "tiktok-talking-head" };
        var command = new Command("bench-patterns", "Single-pass pattern render vs bare ffmpeg and vs one ffmpeg per step") { clip, seconds, repeat, pattern };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = SharedMedia.ClipOrDefault(parse.GetValue(clip));
            await BenchFarm.RunAsync(
                "bench-patterns",
                1,
                (client, data) => RunAsync(client, source.FullName, parse.GetValue(seconds), Math.Max(1, parse.GetValue(repeat)), parse.GetValue(pattern)!, data, cancellationToken),
                cancellationToken);

            return 0;
        });
        return command;
    }

    private static async Task RunAsync(FarmClient client, string clip, double seconds, int repeat, string patternName, string scratch, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var looped = Path.Combine(scratch, "source.mp4");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", clip, "-t", Number(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac", looped], cancellationToken);
        var probe = await new MediaProber(runner, Options.Create(new ToolPaths()), Options.Create(new MediaLimits())).ProbeAsync(looped, cancellationToken);
        var pattern = new PatternLibrary().Find(patternName) ?? throw new UsageException($"Unknown pattern '{patternName}'.");
        var parameters = new Dictionary<string, string> { ["title"] = "Five things nobody tells you" };

        var upload = await client.UploadFileAsync(looped, null, cancellationToken);
        SourceAnalysis? analysis = null;
        var farm = new List<double>();
        var analyze = new List<double>();
        var bare = new List<double>();
        var naive = new List<double>();
        Console.WriteLine($"# Pattern render: {Path.GetFileName(clip)} looped to {probe.DurationSeconds:0.#} s ({probe.Width}x{probe.Height}) -> {pattern.Name}, {repeat} runs each, alternating");
        for (var i = 0; i < repeat; i++)
        {
            var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = pattern.Name };
            request.Parameters.Add(parameters);
            var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: cancellationToken);
            job = await client.WaitAsync(job.Id, null, cancellationToken);
            if (job.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"Bench job {job.Id} ended {job.State}: {job.Error}");
            }

            farm.Add(Seconds(job.Stages.First(s => s.Kind == StageKind.Render)));
            if (job.Stages.FirstOrDefault(s => s.Kind == StageKind.Analyze) is { } stage)
            {
                analyze.Add(Seconds(stage));
            }

            if (analysis is null && job.Outputs.FirstOrDefault(o => o.Kind == OutputKind.Analysis) is { } document)
            {
                var files = await client.DownloadOutputsAsync(new Job { Id = job.Id, Outputs = { document } }, Path.Combine(scratch, "analysis"), cancellationToken);
                analysis = SourceAnalysis.FromJson(await File.ReadAllBytesAsync(files[0], cancellationToken));
            }

            var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], probe, analysis, parameters);
            // The same files the worker's render stage writes, so the bare command is exactly the farm's.
            var font = FontLocator.Find(null);
            var written = await RenderFiles.WriteAsync(plan, scratch, font, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            await runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(plan, looped, Path.Combine(scratch, "bare.mp4"), written.Assets).ToArguments(), cancellationToken);
            bare.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);

            started = Stopwatch.GetTimestamp();
            foreach (var step in NaiveSteps(plan, looped, scratch, written.Assets))
            {
                await runner.RunAsync("ffmpeg", step, cancellationToken);
            }

            naive.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var farmMedian = Percentiles.Median(farm);
        Console.WriteLine(Invariant($"farm render stage (one ffmpeg)              median {farmMedian:0.000} s   (analysis stage, once per source: median {Percentiles.Median(analyze):0.000} s)"));
        Console.WriteLine(Invariant($"same command run bare                       median {Percentiles.Median(bare):0.000} s   farm/bare overhead {farmMedian / Percentiles.Median(bare):0.000}x"));
        Console.WriteLine(Invariant($"naive: one ffmpeg per step, 4 runs, 3 encodes median {Percentiles.Median(naive):0.000} s   single-pass speedup {Percentiles.Median(naive) / farmMedian:0.00}x"));
    }

    // The same edit done step by step, each step a full ffmpeg run writing an intermediate file: reframe, cut, draw
    // texts and captions, set the loudness.
    private static IEnumerable<IReadOnlyList<string>> NaiveSteps(RenderPlan plan, string source, string scratch, RenderAssets assets)
    {
        var reframed = Path.Combine(scratch, "naive-1-reframe.mp4");
        var cut = Path.Combine(scratch, "naive-2-cuts.mp4");
        var titled = Path.Combine(scratch, "naive-3-text.mp4");
        var final = Path.Combine(scratch, "naive-4-loudness.mp4");
        var whole = new List<PlannedSegment> { new(0, plan.Segments.Max(s => s.End), 1) };
        var plain = plan with { Texts = [], Captions = null, GainDb = null, Speed = 1 };
        yield return RenderCommandBuilder.Build(plain with { Segments = whole }, source, reframed).ToArguments();
        yield return RenderCommandBuilder.Build(plain with { Reframe = ReframeMode.Center, FacePath = null }, reframed, cut).ToArguments();
        var cutLength = plan.Segments.Sum(s => s.OutputDuration);
        // Texts and captions are burned together in the third run, on the cut's timeline (as the plan times them).
        yield return RenderCommandBuilder.Build(plain with { Reframe = ReframeMode.Center, FacePath = null, Segments = [new(0, cutLength, 1)], Texts = plan.Texts, Captions = plan.Captions }, cut, titled, assets).ToArguments();
        yield return
        [
            "-hide_banner", "-loglevel", "error", "-y", "-i", titled, "-c:v", "copy",
            "-af", $"volume={Number(plan.GainDb ?? 0)}dB,alimiter=limit={Number(plan.PeakLimit)}:attack=5:release=50:level=0,aresample=48000",
            "-c:a", "aac", "-b:a", "128k", final,
        ];
    }

    private static double Seconds(Stage stage) => (stage.FinishedAt.ToDateTimeOffset() - stage.StartedAt.ToDateTimeOffset()).TotalSeconds;

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
