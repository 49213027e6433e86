using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Media.Cli.Commands;
using Media.Client;
using Media.Pipelines.Editing;
using Media.Pipelines.Fonts;
using Media.Pipelines.Json;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.Bench;

/// <summary>
/// `media bench-revise`: the studio's editing loop. A clip is rendered once (analysis included); then each round edits
/// its plan (a new title, a word corrected) and revises it, against the same revision's command run bare with ffmpeg on
/// the same machine. Reported: the revision's render stage and the client's revise -> SUCCEEDED time, each as a ratio to
/// bare ffmpeg, alternating so both see the same load.
/// </summary>
internal static class ReviseBenchCommand
{
    public static Command Create()
    {
        var clip = SharedMedia.ClipOption("A talking-head clip (default: the shared Obama clip, looped to --seconds)");
        var seconds = new Option<double>("--seconds") { Description = "Loop the clip up to this length first", DefaultValueFactory = _ => 30 };
        var repeat = new Option<int>("--repeat") { Description = "Revisions (median reported)", DefaultValueFactory = _ => 3 };
        var pattern = new Option<string>("--pattern") { Description = "Pattern of the first render", DefaultValueFactory = _ => "tiktok-talking-head" };
        var command = new Command("bench-revise", "A revision of an output (edited plan, no analysis) vs the same command run bare") { clip, seconds, repeat, pattern };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = SharedMedia.ClipOrDefault(parse.GetValue(clip));
            await BenchFarm.RunAsync(
                "bench-revise",
                1,
                (client, data) => RunAsync(client, source.FullName, parse.GetValue(seconds), Math.Max(1, parse.GetValue(repeat)), parse.GetValue(pattern)!, data, cancellationToken),
                cancellationToken);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(FarmClient client, string clip, double seconds, int repeat, string pattern, string scratch, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var looped = Path.Combine(scratch, "source.mp4");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", clip, "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac", looped], cancellationToken);
        var request = new SubmitJobRequest { Source = new Source { UploadId = (await client.UploadFileAsync(looped, null, cancellationToken)).UploadId }, PatternName = pattern };
        request.Parameters.Add("title", "The first title");
        var started = Stopwatch.GetTimestamp();
        var job = await client.SubmitAndWaitAsync(request, null, cancellationToken);
        var firstRender = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (job.State != JobState.Succeeded)
        {
            throw new InvalidOperationException($"The first render ended {job.State}: {job.Error}");
        }

        var output = job.Outputs.Single(o => o.Kind == OutputKind.Video && o.Revision == 1).Name[..^".mp4".Length];
        Console.WriteLine($"# Revisions of {pattern}/{output}: {Path.GetFileName(clip)} looped to {seconds:0.#} s; first render (probe, analysis, render, covers) {firstRender:0.0} s; {repeat} revisions, alternating with bare ffmpeg");
        var stage = new List<double>();
        var wall = new List<double>();
        var bare = new List<double>();
        for (var i = 1; i <= repeat; i++)
        {
            var (revision, json) = await client.GetEditPlanAsync(job.Id, output, cancellationToken: cancellationToken);
            var plan = JsonNode.Parse(json)!;
            if (plan["texts"] is JsonArray { Count: > 0 } texts)
            {
                texts[0]!["text"] = $"Title number {i + 1}";
            }

            if (plan["captions"]?["words"] is JsonArray { Count: > 0 } words)
            {
                words[0]!["text"] = $"Edit{i}";
            }

            started = Stopwatch.GetTimestamp();
            var revised = await client.ReviseOutputAsync(job.Id, output, revision, plan.ToJsonString(), cancellationToken);
            revised = await client.WaitAsync(revised.Id, null, cancellationToken);
            wall.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            var render = revised.Stages.Single(s => s.Kind == StageKind.Render && s.OutputName == $"{output}.r{revision + 1}");
            if (revised.State != JobState.Succeeded || render.State != StageState.Succeeded)
            {
                throw new InvalidOperationException($"Revision {revision + 1} ended {revised.State}: {revised.Error}");
            }

            stage.Add((render.FinishedAt.ToDateTimeOffset() - render.StartedAt.ToDateTimeOffset()).TotalSeconds);

            // The same revision's command, bare: the stored plan compiled exactly as the worker compiles it.
            var (_, stored) = await client.GetEditPlanAsync(job.Id, output, cancellationToken: cancellationToken);
            var renderPlan = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(stored));
            var folder = Directory.CreateDirectory(Path.Combine(scratch, $"bare{i}")).FullName;
            var files = await RenderFiles.WriteAsync(renderPlan, folder, FontLocator.Find(null), cancellationToken);
            started = Stopwatch.GetTimestamp();
            await runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(renderPlan, looped, Path.Combine(folder, "bare.mp4"), files.Assets).ToArguments(), cancellationToken);
            bare.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var bareMedian = Percentiles.Median(bare);
        Console.WriteLine(Invariant($"bare ffmpeg, the revision's command      median {bareMedian:0.000} s  (runs: {string.Join(", ", bare.Select(b => b.ToString("0.000", CultureInfo.InvariantCulture)))})"));
        Console.WriteLine(Invariant($"farm revision render stage               median {Percentiles.Median(stage):0.000} s  ratio {Percentiles.Median(stage) / bareMedian:0.000}x bare"));
        Console.WriteLine(Invariant($"client: ReviseOutput -> SUCCEEDED        median {Percentiles.Median(wall):0.000} s  ratio {Percentiles.Median(wall) / bareMedian:0.000}x bare (no probe, no analysis: plan read, render, outputs stored)"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
