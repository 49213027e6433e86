using System.CommandLine;
using System.Globalization;
using Media.Client;
using Media.Pipelines.Analysis;
using Media.Pipelines.Editing;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.Bench;

/// <summary>
/// `media bench-scale`: does one long job get faster with more workers? The same long source and pattern run four
/// times on an embedded farm: analysed in one pass by one worker (the baseline), in chunks by one worker, and in chunks
/// by N workers, once with each slot's tools free to use every core and once pinned one slot per core
/// (Media:Worker:PinSlots; left out when there are fewer cores than workers). The last run is the one compared with
/// the one-pass analysis and kept by --out. Reported per run: when the merged analysis was ready, when the first clip was rendered and when the job
/// finished, each as a ratio to the baseline; then how far the chunked analysis is from the one-pass analysis (loudness,
/// voice activity, scene cuts, faces, words, chosen clips).
/// </summary>
internal static class ScaleBenchCommand
{
    public static Command Create()
    {
        var clip = SharedMedia.ClipOption("Loop this clip instead of the shared talking heads and montage joined");
        var minutes = new Option<double>("--minutes") { Description = "Length of the long source", DefaultValueFactory = _ => 20 };
        var chunk = new Option<double>("--chunk") { Description = "Seconds of source per analysis chunk (Media:JobApi:AnalysisChunkSeconds)", DefaultValueFactory = _ => 120 };
        var workers = new Option<int>("--workers") { Description = "Workers (stage slots) of the last run", DefaultValueFactory = _ => 2 };
        var pattern = new Option<string>("--pattern") { Description = "Pattern of every run", DefaultValueFactory = _ => "podcast-to-clips" };
        var keep = new Option<DirectoryInfo?>("--out") { Description = "Keep the last run's outputs (videos, captions, plans) in this folder, to look at (--render: the single and the parted video)" };
        var onePass = new Option<bool>("--one-pass") { Description = "Also run the one-pass baseline (the ratios' reference; without it, chunks on 1 worker are)", DefaultValueFactory = _ => true };
        var render = new Option<bool>("--render") { Description = "Measure the chunked render instead: one render vs parts on 1 and N workers, each confined to one core (--chunk: seconds per part; --pattern defaults to bulk-normalize)" };
        var command = new Command("bench-scale", "One long job on 1 worker in one pass vs in analysis chunks on 1 and N workers: time to analysis, first clip, done; accuracy of the merge (--render: the same for a long output's render)")
        {
            clip, minutes, chunk, workers, pattern, keep, onePass, render,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = parse.GetResult(pattern) is { Implicit: false } ? parse.GetValue(pattern)! : parse.GetValue(render) ? "bulk-normalize" : parse.GetValue(pattern)!;
            await RunAsync(parse.GetValue(clip), parse.GetValue(minutes), parse.GetValue(chunk), Math.Max(1, parse.GetValue(workers)), chosen, parse.GetValue(keep), parse.GetValue(render), parse.GetValue(onePass), cancellationToken);
            return 0;
        });
        return command;
    }

    /// <param name="Model">The job's stages with their measured run times, in the order they started, for the critical-path model.</param>
    /// <param name="ModelStart">When the first stage started (the upload's handling and the submission before it).</param>
    /// <param name="ClipRenders">Render stages that made a clip (fan-out renders for clips the analysis did not find make none).</param>
    private sealed record Run(string Name, int Workers, double AnalysisReady, double FirstClip, double Done, IReadOnlyList<string> ChunkStages, double AnalysisBusy, SourceAnalysis Analysis, IReadOnlyList<(double Start, double End)> Clips,
        IReadOnlyList<StageModel.Stage> Model, double ModelStart, IReadOnlyList<string> ClipRenders);

    private static async Task RunAsync(FileInfo? clip, double minutes, double chunkSeconds, int workers, string pattern, DirectoryInfo? keep, bool render, bool onePass, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "media-bench-scale-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            string source;
            string described;
            if (clip is not null)
            {
                source = await LongSource.LoopAsync(runner, SharedMedia.ClipOrDefault(clip).FullName, Path.Combine(scratch, "long.mp4"), minutes, cancellationToken);
                described = clip.Name;
            }
            else
            {
                var media = SharedMedia.Folder() ?? throw new Media.Cli.Commands.UsageException("No shared media folder: pass --clip PATH.");
                source = await LongSource.BuildAsync(runner, media.FullName, scratch, minutes, cancellationToken);
                described = LongSource.Describe;
            }

            if (render)
            {
                await RenderScaleBench.RunAsync(runner, source, described, minutes, chunkSeconds, workers, pattern, scratch, keep, cancellationToken);
                return;
            }

            Console.WriteLine(Invariant($"# One long job: {minutes:0.#} min of {described} (looped), pattern {pattern}, chunks of {chunkSeconds:0} s; each run a farm process with N workers confined to N of the {Environment.ProcessorCount} cores (taskset)"));
            var runs = new List<Run>();
            if (onePass)
            {
                runs.Add(await RunJobAsync("one pass, 1 worker", source, pattern, 1, chunkAfter: 0, chunkSeconds, scratch, null, cancellationToken));
            }

            var chunked = await RunJobAsync("chunks, 1 worker", source, pattern, 1, chunkAfter: chunkSeconds, chunkSeconds, scratch, workers > 1 ? null : keep, cancellationToken);
            runs.Add(chunked);
            if (workers > 1)
            {
                // Pinning needs a core per slot (the worker turns it off, with a warning, otherwise).
                var pinned = workers <= Environment.ProcessorCount;
                runs.Add(await RunJobAsync($"chunks, {workers} workers", source, pattern, workers, chunkAfter: chunkSeconds, chunkSeconds, scratch, pinned ? null : keep, cancellationToken));
                if (pinned)
                {
                    runs.Add(await RunJobAsync($"chunks, {workers} workers, pinned", source, pattern, workers, chunkAfter: chunkSeconds, chunkSeconds, scratch, keep, cancellationToken, pin: true));
                }
            }

            var baseline = runs[0];
            Console.WriteLine($"{"run",-28} {"chunks",6} {"analysis ready",16} {"first clip",16} {"job done",16} {"analysis busy",14}");
            foreach (var run in runs)
            {
                Console.WriteLine(Invariant($"{run.Name,-28} {run.ChunkStages.Count,6} {run.AnalysisReady,7:0.0} s {baseline.AnalysisReady / run.AnalysisReady,5:0.00}x {run.FirstClip,7:0.0} s {baseline.FirstClip / run.FirstClip,5:0.00}x {run.Done,7:0.0} s {baseline.Done / run.Done,5:0.00}x {run.AnalysisBusy,9:0.0} s"));
            }

            Console.WriteLine($"(times from submission; Nx = how many times faster than {baseline.Name}; analysis busy = the analysis stages' summed run time; pinned = each slot's tools on its own core, Media:Worker:PinSlots)");
            Predict(chunked, baseline, runs, minutes * 60);
            if (onePass)
            {
                Compare(baseline, runs[^1]);
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // The critical path on more workers than this machine has, from the chunked one-worker run's measured stages.
    private static void Predict(Run measured, Run baseline, IReadOnlyList<Run> runs, double sourceSeconds)
    {
        var chunks = measured.Model.Where(s => measured.ChunkStages.Contains(s.Id)).ToList();
        Console.WriteLine(Invariant($"# model from \"{measured.Name}\": before the first stage {measured.ModelStart:0.0} s; stages in the order they ran, with what they wait for: {measured.Model.Count} stages, {chunks.Count} analysis chunks ({(chunks.Count == 0 ? "-" : $"{chunks.Min(c => c.Seconds):0.0}-{chunks.Max(c => c.Seconds):0.0} s")}); others: {string.Join(", ", measured.Model.Except(chunks).Select(s => $"{s.Id[(s.Id.IndexOf('.') + 1)..]} {s.Seconds:0.0} s"))}"));
        foreach (var n in new[] { 1, 2, 4, 8, 16 })
        {
            var ends = StageModel.Schedule(measured.Model, n, measured.ModelStart);
            var analysis = ends.Where(e => e.Key.EndsWith(".analyze", StringComparison.Ordinal)).Select(e => e.Value).DefaultIfEmpty(0).Max();
            // A render whose output another render made (variants) never ran: the first clip is the first render that did.
            var first = measured.ClipRenders.Where(ends.ContainsKey).Select(r => ends[r]).DefaultIfEmpty(0).Min();
            var done = ends.Values.Max();
            var actual = string.Join("", runs.Where(r => r.Workers == n && r.ChunkStages.Count > 0).Select(r => $"; measured{(r.Name.EndsWith("pinned", StringComparison.Ordinal) ? " pinned" : "")} {r.AnalysisReady:0.0} / {r.FirstClip:0.0} / {r.Done:0.0} s"));
            Console.WriteLine(Invariant($"{n,3} workers: predicted analysis ready {analysis,7:0.0} s, first clip {first,7:0.0} s ({first / sourceSeconds:P1} of the source, {baseline.FirstClip / first:0.00}x), done {done,7:0.0} s ({baseline.Done / done:0.00}x){actual}"));
        }

        Console.WriteLine(Invariant($"(model: each stage in the order it ran, on the worker free soonest once what it waits for has ended; no dispatch latency, a core per worker; Nx against {baseline.Name})"));
    }

    private static async Task<Run> RunJobAsync(string name, string source, string pattern, int workers, double chunkAfter, double chunkSeconds, string scratch, DirectoryInfo? keep, CancellationToken cancellationToken, bool pin = false)
    {
        var environment = new Dictionary<string, string>
        {
            ["Media__JobApi__AnalysisChunkAfterSeconds"] = chunkAfter.ToString(CultureInfo.InvariantCulture),
            ["Media__JobApi__AnalysisChunkSeconds"] = chunkSeconds.ToString(CultureInfo.InvariantCulture),
            ["Media__Worker__PinSlots"] = pin ? "true" : "false",
        };
        await using var farm = await ServedFarm.StartAsync(name, scratch, workers, environment, cancellationToken);
        using var client = new FarmClient(farm.Address);
        var job = await ServedFarm.RunJobAsync(farm, client, source, pattern, new Dictionary<string, string> { ["title"] = "The long one" }, cancellationToken);

        var created = job.CreatedAt.ToDateTimeOffset();
        double Since(Google.Protobuf.WellKnownTypes.Timestamp at) => (at.ToDateTimeOffset() - created).TotalSeconds;
        var analysis = job.Stages.Where(s => s.Kind is StageKind.Analyze or StageKind.AnalyzeChunk).ToList();
        // Fan-out renders for clips the analysis did not find end without an output; the first clip is the first one made.
        var renders = job.Stages.Where(s => s.Kind == StageKind.Render && job.Outputs.Any(o => o.Kind == OutputKind.Video && o.Name.StartsWith(s.OutputName + ".", StringComparison.Ordinal))).ToList();
        var folder = Path.Combine(scratch, name.Replace(' ', '_').Replace(",", "", StringComparison.Ordinal));
        if (keep is not null)
        {
            await client.DownloadOutputsAsync(job, keep.FullName, cancellationToken);
        }

        var analysisOnly = job.Clone();
        analysisOnly.Outputs.Clear();
        analysisOnly.Outputs.Add(job.Outputs.Where(o => o.Name == SourceAnalysis.DocumentName));
        var paths = await client.DownloadOutputsAsync(analysisOnly, folder, cancellationToken);
        var clips = new List<(double, double)>();
        foreach (var output in job.Outputs.Where(o => o.Kind == OutputKind.Video).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            var (_, json) = await client.GetEditPlanAsync(job.Id, output.Name[..^Path.GetExtension(output.Name).Length], cancellationToken: cancellationToken);
            var plan = EditPlanRevision.Read(json);
            clips.Add((Math.Round(plan.Ranges[0].Start, 2), Math.Round(plan.Ranges[^1].End, 2)));
        }

        var ran = job.Stages.Where(s => s.StartedAt is not null && s.FinishedAt is not null && s.RenderedBy.Length == 0).OrderBy(s => s.StartedAt.ToDateTimeOffset()).ToList();
        return new Run(
            name,
            workers,
            Since(analysis.Single(s => s.Kind == StageKind.Analyze).FinishedAt),
            renders.Min(r => Since(r.FinishedAt)),
            Since(job.FinishedAt),
            [.. analysis.Where(s => s.Kind == StageKind.AnalyzeChunk).Select(s => s.Id)],
            analysis.Sum(ServedFarm.Busy),
            SourceAnalysis.FromJson(await File.ReadAllBytesAsync(paths.Single(), cancellationToken)),
            clips,
            Model(ran),
            ran.Count == 0 ? 0 : Since(ran[0].StartedAt),
            [.. renders.Select(r => r.Id)]);
    }

    // What each stage waits for, by kind (the planner's dependencies: the API's stage list does not carry them): the
    // probe first; analysis chunks and thumbnails after it; the merge after the chunks; renders after the analysis.
    private static List<StageModel.Stage> Model(IReadOnlyList<Stage> ran)
    {
        string[] Ids(params StageKind[] kinds) => [.. ran.Where(s => kinds.Contains(s.Kind)).Select(s => s.Id)];
        var probe = Ids(StageKind.Probe);
        var chunks = Ids(StageKind.AnalyzeChunk);
        var analysis = Ids(StageKind.Analyze);
        return [.. ran.Select(s => new StageModel.Stage(s.Id, ServedFarm.Busy(s), s.Kind switch
        {
            StageKind.Probe => [],
            StageKind.AnalyzeChunk or StageKind.Thumbnail => probe,
            StageKind.Analyze => chunks.Length > 0 ? chunks : probe,
            _ => analysis.Length > 0 ? analysis : probe,
        }))];
    }

    // How far the chunked analysis is from the one-pass one, field by field (the issue's acceptance terms).
    private static void Compare(Run one, Run chunked)
    {
        var (a, b) = (one.Analysis, chunked.Analysis);
        Console.WriteLine(Invariant($"# {chunked.Name} against one pass"));
        if (a.Loudness is { } la && b.Loudness is { } lb)
        {
            var worst = la.Momentary.Zip(lb.Momentary).Select(p => Math.Abs(p.First - p.Second)).DefaultIfEmpty(0).Max();
            Console.WriteLine(Invariant($"integrated loudness    {la.IntegratedLufs:0.00} vs {lb.IntegratedLufs:0.00} LUFS (difference {Math.Abs(la.IntegratedLufs - lb.IntegratedLufs):0.000} LU); momentary steps {la.Momentary.Count} vs {lb.Momentary.Count}, largest difference {worst:0.000} LU"));
        }

        if (a.Speech is { } sa && b.Speech is { } sb)
        {
            var edges = sa.Segments.SelectMany(s => new[] { s.Start, s.End }).ToList();
            var other = sb.Segments.SelectMany(s => new[] { s.Start, s.End }).ToList();
            var matched = edges.Count(e => other.Any(o => Math.Abs(o - e) <= 0.05));
            Console.WriteLine(Invariant($"voice activity         {sa.Segments.Count} vs {sb.Segments.Count} segments; {matched} of {edges.Count} boundaries within 50 ms"));
        }

        if (a.SceneCuts is { } ca && b.SceneCuts is { } cb)
        {
            Console.WriteLine(Invariant($"scene cuts             {ca.Count} vs {cb.Count}; identical: {(ca.SequenceEqual(cb) ? "yes" : "no")}"));
        }

        if (a.Faces is { } fa && b.Faces is { } fb)
        {
            var same = fa.Samples.Zip(fb.Samples).Count(p => p.First == p.Second);
            Console.WriteLine(Invariant($"face samples           {fa.Samples.Count} vs {fb.Samples.Count}; identical (time and box): {same}"));
        }

        if (a.Transcript is { } ta && b.Transcript is { } tb)
        {
            var wer = WordText.ErrorRate([.. ta.Words.Select(w => WordText.Normalize(w.Text))], [.. tb.Words.Select(w => WordText.Normalize(w.Text))]);
            Console.WriteLine(Invariant($"words                  {ta.Words.Count} vs {tb.Words.Count}; WER of the chunked transcript against one pass's {wer:P2} ({ta.Backend}{(ta.ScriptAligned ? ", script-aligned" : ", free recognition")})"));
        }

        Console.WriteLine(Invariant($"chosen clips           {string.Join("  ", one.Clips.Select(c => $"{c.Start:0.0}-{c.End:0.0}"))} vs {string.Join("  ", chunked.Clips.Select(c => $"{c.Start:0.0}-{c.End:0.0}"))}; same: {(one.Clips.SequenceEqual(chunked.Clips) ? "yes" : "no")}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
