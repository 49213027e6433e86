using System.Globalization;
using System.Text.Json;
using Media.Client;
using Media.Pipelines.Tools;
using Media.Protos.V1;

namespace Media.Bench;

/// <summary>
/// `media bench-scale --render`: does one long output render faster on more workers? The same long source and a
/// whole-source pattern run four times, each on a farm process (`media serve`) with N workers confined by taskset to
/// N cores (its ffmpegs too): rendered in one piece by 1 worker (the baseline), in parts by 1 worker, in parts by N
/// workers whose ffmpegs may use all N cores, and by N workers each pinned to its own core (Media:Worker:PinSlots). Reported: time
/// to done and each part's time, a critical-path prediction for 4, 8 and 16 workers from the measured parts (in the
/// farm's dispatch order: the sound first), and the
/// parted output against the single one (frame count, timestamps, duration, per-frame PSNR).
/// </summary>
internal static class RenderScaleBench
{
    private sealed record Run(string Name, int Workers, double Done, double BeforeParts, IReadOnlyList<double> Parts, double Sound, double Join, string Output);

    /// <param name="keep">Where to copy the single render and the last parted one, to look at (null: nowhere).</param>
    public static async Task RunAsync(ToolRunner runner, string source, string described, double minutes, double partSeconds, int workers, string pattern, string scratch, DirectoryInfo? keep, CancellationToken cancellationToken)
    {
        Console.WriteLine(Invariant($"# One long render: {minutes:0.#} min of {described}, pattern {pattern}, parts of {partSeconds:0} s; a farm process with N workers confined to N of the {Environment.ProcessorCount} cores (taskset)"));
        var single = await RunJobAsync("one render, 1 worker", source, pattern, 1, 0, partSeconds, scratch, pin: false, cancellationToken);
        var runs = new List<Run> { single, await RunJobAsync("parts, 1 worker", source, pattern, 1, partSeconds, partSeconds, scratch, pin: false, cancellationToken) };
        if (workers > 1)
        {
            // Both ways: the slots' ffmpegs free to use every core, and each slot's on its own (Media:Worker:PinSlots).
            runs.Add(await RunJobAsync($"parts, {workers} workers", source, pattern, workers, partSeconds, partSeconds, scratch, pin: false, cancellationToken));
            runs.Add(await RunJobAsync($"parts, {workers} pinned", source, pattern, workers, partSeconds, partSeconds, scratch, pin: true, cancellationToken));
        }

        Console.WriteLine($"{"run",-22} {"parts",6} {"job done",16} {"render phase",16} {"render busy",12}");
        foreach (var run in runs)
        {
            var phase = run.Done - run.BeforeParts;
            Console.WriteLine(Invariant($"{run.Name,-22} {run.Parts.Count,6} {run.Done,7:0.0} s {single.Done / run.Done,5:0.00}x {phase,7:0.0} s {(single.Done - single.BeforeParts) / phase,5:0.00}x {run.Parts.Sum() + run.Sound + run.Join,9:0.0} s"));
        }

        Console.WriteLine("(job done: from submission; render phase: from the first render or part stage's start to done, what parts can speed up (the analysis before it is the same in every run); Nx = how many times faster than one render on 1 worker; render busy = the render, part and sound stages' summed run time)");

        // The critical path from the one-worker run's measurements: what comes before the parts, then the sound and the
        // parts in the order the farm publishes them (the sound first, then the parts in time order), each onto the worker
        // free soonest, then the join (a stream copy) on one.
        var measured = runs[1];
        Console.WriteLine(Invariant($"# model from \"{measured.Name}\": before the parts {measured.BeforeParts:0.0} s, parts {string.Join(" ", measured.Parts.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))} s, sound {measured.Sound:0.0} s, join {measured.Join:0.0} s"));
        List<StageModel.Stage> pieces = [.. measured.Parts.Prepend(measured.Sound).Select((seconds, i) => new StageModel.Stage($"piece {i}", seconds, []))];
        List<StageModel.Stage> stages = [.. pieces, new("join", measured.Join, [.. pieces.Select(p => p.Id)])];
        foreach (var n in new[] { 1, 2, 4, 8, 16 })
        {
            var predicted = StageModel.Schedule(stages, n, measured.BeforeParts)["join"];
            var actual = runs.LastOrDefault(r => r.Workers == n && r.Parts.Count > 0);
            Console.WriteLine(Invariant($"{n,3} workers: predicted {predicted,7:0.0} s, {single.Done / predicted,5:0.00}x one render ({single.Done / predicted / n:0.00} per worker){(actual is null ? "" : $"; measured {actual.Done:0.0} s")}"));
        }

        await CompareAsync(runner, single.Output, runs[^1].Output, cancellationToken);
        if (keep is not null)
        {
            keep.Create();
            File.Copy(single.Output, Path.Combine(keep.FullName, "single-" + Path.GetFileName(single.Output)), overwrite: true);
            File.Copy(runs[^1].Output, Path.Combine(keep.FullName, "parted-" + Path.GetFileName(runs[^1].Output)), overwrite: true);
            Console.WriteLine($"# the single and the parted output: {keep.FullName}");
        }
    }

    private static async Task<Run> RunJobAsync(string name, string source, string pattern, int workers, double partsAfter, double partSeconds, string scratch, bool pin, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["Media__JobApi__RenderChunkAfterSeconds"] = partsAfter.ToString(CultureInfo.InvariantCulture),
            ["Media__JobApi__RenderChunkSeconds"] = partSeconds.ToString(CultureInfo.InvariantCulture),
            ["Media__JobApi__AnalysisChunkAfterSeconds"] = "0",
            ["Media__Worker__PinSlots"] = pin ? "true" : "false",
        };
        await using var farm = await ServedFarm.StartAsync(name, scratch, workers, environment, cancellationToken);
        using var client = new FarmClient(farm.Address);
        var job = await ServedFarm.RunJobAsync(farm, client, source, pattern, new Dictionary<string, string>(), cancellationToken);
        var created = job.CreatedAt.ToDateTimeOffset();
        var all = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).ToList();
        var parts = all.Where(s => !s.Id.EndsWith(".sound", StringComparison.Ordinal)).OrderBy(s => s.RangeStartSeconds).ToList();
        var sound = all.Except(parts).Select(ServedFarm.Busy).Sum();
        var render = job.Stages.Single(s => s.Kind == StageKind.Render);
        var first = all.Count > 0 ? all.Min(p => p.StartedAt.ToDateTimeOffset()) : render.StartedAt.ToDateTimeOffset();
        var video = job.Outputs.Single(o => o.Kind == OutputKind.Video);
        var only = job.Clone();
        only.Outputs.Clear();
        only.Outputs.Add(video);
        var output = (await client.DownloadOutputsAsync(only, Path.Combine(scratch, "out-" + workers + "-" + parts.Count + (pin ? "-pinned" : "")), cancellationToken)).Single();
        return new Run(name, workers, (job.FinishedAt.ToDateTimeOffset() - created).TotalSeconds, (first - created).TotalSeconds, [.. parts.Select(ServedFarm.Busy)], sound, ServedFarm.Busy(render), output);
    }

    // A player must not tell them apart: the same frames at the same times, the same length, the same pictures.
    private static async Task CompareAsync(ToolRunner runner, string single, string parted, CancellationToken cancellationToken)
    {
        var (a, b) = (await FrameTimesAsync(runner, single, cancellationToken), await FrameTimesAsync(runner, parted, cancellationToken));
        var stats = Path.Combine(Path.GetDirectoryName(parted)!, "psnr.log");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", parted, "-i", single, "-lavfi", $"[0:v][1:v]psnr=stats_file={stats}", "-f", "null", "-"], cancellationToken);
        var psnr = File.ReadAllLines(stats).Select(l => l.Split(' ').First(f => f.StartsWith("psnr_avg:", StringComparison.Ordinal))["psnr_avg:".Length..])
            .Select(v => v == "inf" ? 99 : double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Console.WriteLine(Invariant($"# parted output against the single render"));
        Console.WriteLine(Invariant($"frames                 {a.Count} vs {b.Count}; timestamps identical: {(a.SequenceEqual(b) ? "yes" : "no")}; duration {a.LastOrDefault():0.000} vs {b.LastOrDefault():0.000} s (last frame)"));
        Console.WriteLine(Invariant($"pictures               PSNR of each parted frame against the single render's: min {psnr.DefaultIfEmpty(0).Min():0.0} dB, mean {psnr.DefaultIfEmpty(0).Average():0.0} dB"));
    }

    private static async Task<List<double>> FrameTimesAsync(ToolRunner runner, string path, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "json", path], cancellationToken, captureStdout: true);
        using var json = JsonDocument.Parse(result.Stdout);
        return [.. json.RootElement.GetProperty("packets").EnumerateArray().Select(f => double.Parse(f.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture)).Order()];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
