using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Media.Cli.Client;
using Media.Client;
using Media.Cli.Commands;
using Media.Cli.Hosting;
using Media.Pipelines.Editing;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Bench;

/// <summary>
/// `media bench`: (1) the farm's render of a real clip against the bare ffmpeg command the farm generated,
/// run in the same process, alternating; (2) submit-to-start latency of a stage over many tiny jobs.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var clip = SharedMedia.ClipOption("A real clip to render (default: the shared talking-head clip when present)");
        var repeat = new Option<int>("--repeat") { Description = "Render repetitions (median reported)", DefaultValueFactory = _ => 3 };
        var jobs = new Option<int>("--jobs") { Description = "Tiny jobs for the latency test", DefaultValueFactory = _ => 200 };
        var pattern = new Option<string>("--pattern") { Description = "Pattern to render", DefaultValueFactory = _ => "reframe-vertical" };
        var command = new Command("bench", "Benchmark render overhead vs bare ffmpeg and stage dispatch latency") { clip, repeat, jobs, pattern };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = SharedMedia.ClipOrDefault(parse.GetValue(clip));

            await BenchFarm.RunAsync("bench", 2, async (client, data) =>
            {
                await RenderOverheadAsync(client, source.FullName, parse.GetValue(pattern)!, Math.Max(1, parse.GetValue(repeat)), data, "2 worker slots, as served", cancellationToken);
                await DispatchLatencyAsync(client, Math.Max(1, parse.GetValue(jobs)), data, cancellationToken);
            }, cancellationToken);

            // The same with one slot: the job's other stages (covers, analysis) wait for the render instead of sharing
            // the cores with it, so the render stage's ratio is the farm's own overhead and nothing else.
            await BenchFarm.RunAsync("bench-alone", 1, async (client, data) =>
                await RenderOverheadAsync(client, source.FullName, parse.GetValue(pattern)!, Math.Max(1, parse.GetValue(repeat)), data, "1 worker slot: the render stage alone", cancellationToken),
                cancellationToken);

            return 0;
        });
        return command;
    }

    private static async Task RenderOverheadAsync(FarmClient client, string clip, string patternName, int repeat, string scratch, string farm, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var pattern = new PatternLibrary().Find(patternName) ?? throw new UsageException($"Unknown pattern '{patternName}'.");
        var upload = await client.UploadFileAsync(clip, null, cancellationToken);
        var bare = new List<double>();
        var renderStage = new List<double>();
        var wholeJob = new List<double>();
        var beside = new SortedDictionary<string, double>(StringComparer.Ordinal);
        IReadOnlyList<string>? arguments = null;
        for (var i = 0; i < repeat; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var job = await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = pattern.Name }, cancellationToken: cancellationToken);
            job = await client.WaitAsync(job.Id, null, cancellationToken);
            wholeJob.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (job.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"Bench job {job.Id} ended {job.State}: {job.Error}");
            }

            var render = job.Stages.First(s => s.Kind == StageKind.Render);
            renderStage.Add((render.FinishedAt.ToDateTimeOffset() - render.StartedAt.ToDateTimeOffset()).TotalSeconds);
            foreach (var other in job.Stages.Where(s => s.Id != render.Id && s.StartedAt is not null && s.FinishedAt is not null))
            {
                var overlap = (Min(render.FinishedAt, other.FinishedAt) - Max(render.StartedAt, other.StartedAt)).TotalSeconds;
                if (overlap > 0)
                {
                    beside[other.Kind.ToString()] = beside.GetValueOrDefault(other.Kind.ToString()) + (overlap / repeat);
                }
            }

            if (arguments is null)
            {
                // The bare baseline is the farm's own command: the job's stored edit plan compiled as the worker compiles it.
                var (_, stored) = await client.GetEditPlanAsync(job.Id, render.OutputName, cancellationToken: cancellationToken);
                var plan = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(stored));
                var files = await RenderFiles.WriteAsync(plan, scratch, FontLocator.Find(null), cancellationToken);
                arguments = RenderCommandBuilder.Build(plan, clip, Path.Combine(scratch, "bare.mp4"), files.Assets).ToArguments();
                Console.WriteLine($"# Render overhead, {farm}: {Path.GetFileName(clip)} ({job.SourceInfo.Width}x{job.SourceInfo.Height}, {job.SourceInfo.DurationSeconds:0.##} s) -> {pattern.Name}/{plan.OutputName} {plan.Width}x{plan.Height} ({plan.Reframe}), {repeat} runs each, alternating");
                Console.WriteLine("bare ffmpeg: ffmpeg " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));
            }

            started = Stopwatch.GetTimestamp();
            await runner.RunAsync("ffmpeg", arguments, cancellationToken);
            bare.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var bareMedian = Percentiles.Median(bare);
        var stages = pattern.Steps.Needs == AnalysisNeeds.None ? "probe + render + thumbnail" : "probe + analysis + render + thumbnail";
        Console.WriteLine(Invariant($"bare ffmpeg render        median {bareMedian:0.000} s  (runs: {string.Join(", ", bare.Select(x => x.ToString("0.000", CultureInfo.InvariantCulture)))})"));
        Console.WriteLine(Invariant($"farm render stage         median {Percentiles.Median(renderStage):0.000} s  ratio {Percentiles.Median(renderStage) / bareMedian:0.000}x bare"));
        // What shared the machine with the render stage: its time is only the farm's overhead when nothing did.
        Console.WriteLine(beside.Count == 0
            ? "  beside the render stage: nothing (no other stage of the job ran while it did)"
            : "  beside the render stage (mean seconds of overlap per run): " + string.Join(", ", beside.Select(b => Invariant($"{b.Key} {b.Value:0.0} s"))));
        Console.WriteLine(Invariant($"farm whole job (submit -> SUCCEEDED: {stages}, as seen by the client)  median {Percentiles.Median(wholeJob):0.000} s  ratio {Percentiles.Median(wholeJob) / bareMedian:0.000}x bare"));
    }

    private static async Task DispatchLatencyAsync(FarmClient client, int jobs, string scratch, CancellationToken cancellationToken)
    {
        Console.WriteLine($"# Submit-to-start latency: {jobs} tiny jobs after 3 warm-up jobs, one at a time (each cancelled once its first stage runs)");
        var (clientObserved, serverSide) = await MeasureDispatchLatencyAsync(client, jobs, scratch, cancellationToken);
        Console.WriteLine(Invariant($"client: SubmitJob call -> stage RUNNING event   p50 {Percentiles.Of(clientObserved, 50):0.0} ms  p99 {Percentiles.Of(clientObserved, 99):0.0} ms"));
        Console.WriteLine(Invariant($"server: job created_at -> stage started_at     p50 {Percentiles.Of(serverSide, 50):0.0} ms  p99 {Percentiles.Of(serverSide, 99):0.0} ms  (store timestamps have 1 ms resolution)"));
    }

    /// <summary>Submits tiny jobs one at a time and measures until their first stage runs; each is then cancelled.</summary>
    public static async Task<(List<double> ClientSide, List<double> ServerSide)> MeasureDispatchLatencyAsync(FarmClient client, int jobs, string scratch, CancellationToken cancellationToken)
    {
        var tiny = Path.Combine(scratch, "tiny.mp4");
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=0.5",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", tiny], cancellationToken);
        var upload = await client.UploadFileAsync(tiny, null, cancellationToken);
        var clientObserved = new List<double>();
        var serverSide = new List<double>();
        const int warmUp = 3;
        for (var i = -warmUp; i < jobs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var job = await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" }, cancellationToken: cancellationToken);
            using (var watch = client.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, cancellationToken: cancellationToken))
            {
                while (await watch.ResponseStream.MoveNext(cancellationToken))
                {
                    var e = watch.ResponseStream.Current;
                    if (e.EventCase == JobEvent.EventOneofCase.StageChanged && e.StageChanged.State is StageState.Running or StageState.Succeeded)
                    {
                        break;
                    }
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var current = await client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, cancellationToken: cancellationToken);
            var first = current.Stages.First(s => s.Kind == StageKind.Probe);

            // The first jobs pay for consumers joining their groups and connection set-up; they are not measured.
            if (i >= 0)
            {
                clientObserved.Add(elapsed);
                serverSide.Add((first.StartedAt.ToDateTimeOffset() - current.CreatedAt.ToDateTimeOffset()).TotalMilliseconds);
            }

            if (!FarmClient.IsTerminal(current.State))
            {
                await client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id }, cancellationToken: cancellationToken);
            }
        }

        return (clientObserved, serverSide);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Min(Google.Protobuf.WellKnownTypes.Timestamp a, Google.Protobuf.WellKnownTypes.Timestamp b) =>
        a.ToDateTimeOffset() < b.ToDateTimeOffset() ? a.ToDateTimeOffset() : b.ToDateTimeOffset();

    private static DateTimeOffset Max(Google.Protobuf.WellKnownTypes.Timestamp a, Google.Protobuf.WellKnownTypes.Timestamp b) =>
        a.ToDateTimeOffset() > b.ToDateTimeOffset() ? a.ToDateTimeOffset() : b.ToDateTimeOffset();
}
