using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Media.Cli.Commands;
using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speakers;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Media.Bench;

/// <summary>
/// `media speakers-eval`: the active-speaker crop (`reframe: { mode: speaker }`) on two-person footage built from the
/// shared GRID clips (<see cref="TwoSpeakerFootage"/>), against the known turns: who the analysis says speaks, the
/// speaker's face inside the 9:16 crop, the crop's switches (how many, how close together, none for the
/// interjection), the single talking heads unchanged, and what the denser face sampling costs.
/// </summary>
internal static class SpeakersEvalCommand
{
    private const AnalysisNeeds SpeakerNeeds = AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers;

    private const string PatternYaml = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: speakers-eval
        outputs:
          - name: vertical
            preset: tiktok
        steps:
          - reframe: { mode: speaker }
        """;

    private const string SplitYaml = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: speakers-eval-split
        outputs:
          - name: vertical
            preset: tiktok
        steps:
          - reframe: { mode: speaker, layout: split }
        """;

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("folder") { Description = "The shared media folder (default: found above the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Also render the two-person footage and its speaker crop into this folder, to look at" };
        var minutes = new Option<double>("--minutes") { Description = "Length of the looped footage the analysis cost is measured on", DefaultValueFactory = _ => 2 };
        var command = new Command("speakers-eval", "The active-speaker crop on two-person footage built from the shared media, against the known turns") { folder, output, minutes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var media = (parse.GetValue(folder) ?? SharedMedia.Folder() ?? throw new UsageException("No folder given and no shared media folder found.")).FullName;
            foreach (var clip in new[] { TwoSpeakerFootage.LeftClip, TwoSpeakerFootage.RightClip })
            {
                if (!File.Exists(Path.Combine(media, clip)))
                {
                    throw new UsageException($"The media folder has no {clip}.");
                }
            }

            var work = Directory.CreateTempSubdirectory("media-speakers-eval-").FullName;
            await using var services = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddLogging().AddMediaPipelines().BuildServiceProvider();
            try
            {
                var tools = new Tools(services.GetRequiredService<SourceAnalyzer>(), services.GetRequiredService<MediaProber>(), services.GetRequiredService<ToolRunner>(), work);
                var pattern = PatternParser.Parse(PatternYaml).Pattern ?? throw new InvalidOperationException("The eval's pattern does not parse.");
                var split = PatternParser.Parse(SplitYaml).Pattern ?? throw new InvalidOperationException("The eval's split pattern does not parse.");
                var (failed, footage, probe, analysis) = await TwoSpeakersAsync(tools, pattern, media, parse.GetValue(output), cancellationToken);
                failed |= await SplitAsync(tools, split, pattern, media, footage, probe, analysis, parse.GetValue(output), cancellationToken);
                failed |= await SingleHeadsAsync(tools, pattern, split, media, cancellationToken);
                failed |= await CostAsync(tools, footage, parse.GetValue(minutes), cancellationToken);
                Console.WriteLine(failed ? "RESULT: some goals missed" : "RESULT: every goal met");
                return 0;
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    private static async Task<(bool Failed, string Footage, MediaProbe Probe, SourceAnalysis Analysis)> TwoSpeakersAsync(Tools tools, Pattern pattern, string media, DirectoryInfo? output, CancellationToken cancellationToken)
    {
        var footage = await TwoSpeakerFootage.BuildAsync(tools.Runner, media, tools.Work, cancellationToken);
        var probe = await tools.Prober.ProbeAsync(footage, cancellationToken);
        var (analysis, seconds) = await tools.AnalyzeAsync(footage, probe, SpeakerNeeds, cancellationToken);
        var people = analysis.People!;
        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], probe, analysis);
        var truth = TwoSpeakerFootage.Truth();

        Console.WriteLine(Invariant($"# Two speakers, side by side ({probe.DisplayWidth}x{probe.DisplayHeight}, {probe.DurationSeconds:0.0} s, {truth.Count(t => !t.Interjection)} turns and 1 interjection)"));
        if (plan.FacePath is not { } path)
        {
            return (Goal("no face found", false, "two faces"), footage, probe, analysis);
        }

        Console.WriteLine(Invariant($"  tracks: {people.Tracks.Count} ({string.Join(", ", people.Tracks.Select(t => $"#{t.Id} {t.Start:0.0}-{t.End:0.0} s at x={t.Points.Average(p => p.CenterX):0.00}"))})"));
        Console.WriteLine(Invariant($"  turns found: {string.Join(", ", people.Turns.Select(t => $"{t.Start:0.00}-{t.End:0.00} {(t.Track is { } id ? "#" + id : "?")} ({t.Confidence:0.00})"))}"));
        Console.WriteLine(Invariant($"  true turns:  {string.Join(", ", truth.Select(t => $"{t.Start:0.00}-{t.End:0.00} {(t.Left ? "left" : "right")}{(t.Interjection ? " (interjection)" : string.Empty)}"))}"));

        bool? SideOf(int? id) => id is { } key && people.Tracks.FirstOrDefault(t => t.Id == key) is { } track ? track.Points.Average(p => p.CenterX) < 0.5 : null;
        var step = 1 / people.SampleRate;
        int named = 0, right = 0, inside = 0, seen = 0, speech = 0;
        foreach (var turn in truth.Where(t => !t.Interjection))
        {
            for (var t = turn.Start + (step / 2); t < turn.End; t += step)
            {
                speech++;
                if (people.Turns.FirstOrDefault(s => s.Start <= t && t < s.End) is { } found)
                {
                    named++;
                    right += SideOf(found.Track) == turn.Left ? 1 : 0;
                }

                var face = people.Tracks.Where(k => (k.Points.Average(p => p.CenterX) < 0.5) == turn.Left).Select(k => k.At(t, step)).FirstOrDefault(p => p is not null);
                if (face is not null)
                {
                    seen++;
                    var left = path.OffsetAt(t);
                    inside += face.X * probe.DisplayWidth >= left - 1 && (face.X + face.Width) * probe.DisplayWidth <= left + path.CropWidth + 1 ? 1 : 0;
                }
            }
        }

        var switches = Jumps(path);
        var trueChanges = truth.Where(t => !t.Interjection).Zip(truth.Where(t => !t.Interjection).Skip(1)).Count(p => p.First.Left != p.Second.Left);
        var interjection = truth.First(t => t.Interjection);
        var closest = switches.Zip(switches.Skip(1)).Select(p => p.Second - p.First).DefaultIfEmpty(double.PositiveInfinity).Min();
        var onInterjection = switches.Count(s => s > interjection.Start - 0.5 && s < interjection.End + 1);
        var faceShare = seen == 0 ? 0 : (double)inside / seen;
        var failed = false;
        failed |= Goal(Invariant($"speaker named right on {(double)right / Math.Max(1, named):P1} of the speech samples voice activity found ({right}/{named}; it found {(double)named / Math.Max(1, speech):P0} of the true speech)"), (double)right / Math.Max(1, named) >= 0.9, "≥ 90%");
        failed |= Goal(Invariant($"speaker's face inside the crop {faceShare:P1} of speech time ({inside}/{seen} samples with the face seen)"), faceShare >= 0.95, "≥ 95%");
        failed |= Goal(Invariant($"switches {switches.Count} at [{string.Join(", ", switches.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))}] for {trueChanges} changes of speaker"), switches.Count <= trueChanges + 1 && switches.Count >= 1, "≤ changes + 1");
        failed |= Goal(Invariant($"closest switches {closest:0.00} s apart"), closest >= 1.5, "≥ 1.5 s");
        failed |= Goal(Invariant($"switches for the interjection at {interjection.Start:0.00}-{interjection.End:0.00} s: {onInterjection}"), onInterjection == 0, "0");

        if (output is not null)
        {
            output.Create();
            File.Copy(footage, Path.Combine(output.FullName, "two-speakers.mp4"), overwrite: true);
            await File.WriteAllBytesAsync(Path.Combine(output.FullName, "two-speakers-analysis.json"), analysis.ToJson(), cancellationToken);
            var rendered = Path.Combine(output.FullName, "two-speakers-vertical.mp4");
            await tools.Runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(plan, footage, rendered).ToArguments(), cancellationToken);
            Console.WriteLine($"  rendered: {rendered}");
        }

        return (failed, footage, probe, analysis);
    }

    // layout: split on the same footage, where both people are always on screen: how much of it is split, whether each
    // window holds its person's face whole (the left person on top), and what the two extra windows cost the render.
    private static async Task<bool> SplitAsync(Tools tools, Pattern split, Pattern single, string media, string footage, MediaProbe probe, SourceAnalysis analysis, DirectoryInfo? output, CancellationToken cancellationToken)
    {
        var plan = RenderPlanner.Plan(split, split.Outputs[0], probe, analysis);
        Console.WriteLine("# layout: split on the same footage (both people on screen throughout)");
        if (plan.Layout is not { } layout)
        {
            return Goal("no split planned", false, "split while both are on screen");
        }

        var people = analysis.People!;
        var step = 1 / people.SampleRate;
        var splitSeconds = layout.Spans.Where(s => s.Kind == LayoutKind.Split).Sum(s => s.End - s.Start);
        int samples = 0, whole = 0;
        for (var t = step / 2; t < probe.DurationSeconds; t += step)
        {
            var faces = people.Tracks.Select(k => k.At(t, step)).OfType<TrackPoint>().OrderBy(p => p.CenterX).ToList();
            if (faces.Count != 2 || layout.At(t) != LayoutKind.Split)
            {
                continue;
            }

            samples++;
            whole += Holds(layout.Top, faces[0], t, probe) && Holds(layout.Bottom, faces[1], t, probe) ? 1 : 0;
        }

        var failed = Goal(Invariant($"split {splitSeconds:0.0} s of {probe.DurationSeconds:0.0} s in {layout.Spans.Count} span(s)"), splitSeconds >= 0.95 * probe.DurationSeconds, "≥ 95% of the time both are on screen");
        failed |= Goal(Invariant($"both faces whole in their halves (left on top) on {(double)whole / Math.Max(1, samples):P1} of the split samples with both seen ({whole}/{samples})"), samples > 0 && whole == samples, "100%");

        // One person alone, then a cut to both: one crop until the cut, split after it.
        var joined = await TwoSpeakerFootage.BuildAloneThenTwoAsync(tools.Runner, media, footage, tools.Work, cancellationToken);
        failed |= await AloneThenTwoAsync(tools, split, joined, output, cancellationToken);

        // Three people: layout auto shows the whole picture.
        failed |= await ThreeAsync(tools, media, output, cancellationToken);

        // The render's cost: the one-crop plan against the split plan, same footage, same encoder.
        var singlePlan = RenderPlanner.Plan(single, single.Outputs[0], probe, analysis);
        var singleSeconds = await RenderAsync(tools, singlePlan, footage, Path.Combine(tools.Work, "single.mp4"), cancellationToken);
        var rendered = output is null ? Path.Combine(tools.Work, "split.mp4") : Path.Combine(Directory.CreateDirectory(output.FullName).FullName, "two-speakers-split.mp4");
        var splitRender = await RenderAsync(tools, plan, footage, rendered, cancellationToken);
        Console.WriteLine(Invariant($"  render {probe.DurationSeconds:0.0} s to 1080x1920: one crop {singleSeconds:0.00} s, split {splitRender:0.00} s ({splitRender / singleSeconds:0.00}x)"));
        if (output is not null)
        {
            Console.WriteLine($"  rendered: {rendered}");
        }

        return failed;
    }

    private static async Task<bool> AloneThenTwoAsync(Tools tools, Pattern split, string footage, DirectoryInfo? output, CancellationToken cancellationToken)
    {
        var probe = await tools.Prober.ProbeAsync(footage, cancellationToken);
        var (analysis, _) = await tools.AnalyzeAsync(footage, probe, SpeakerNeeds, cancellationToken);
        var plan = RenderPlanner.Plan(split, split.Outputs[0], probe, analysis);
        var spans = plan.Layout?.Spans ?? [];
        var cut = TwoSpeakerFootage.AloneSeconds;
        var first = spans.Count > 0 ? spans[0] : null;
        var after = spans.Where(s => s.Kind == LayoutKind.Split).Sum(s => Math.Min(s.End, probe.DurationSeconds) - Math.Max(s.Start, cut));
        var failed = Goal(
            Invariant($"one person for {cut:0.0} s, then both: split from {first?.Start.ToString("0.00", CultureInfo.InvariantCulture) ?? "never"} s, {after / (probe.DurationSeconds - cut):P0} of the two-person time, {spans.Count} span(s)"),
            first is { Kind: LayoutKind.Split } && Math.Abs(first.Start - cut) <= 0.5 && after >= 0.95 * (probe.DurationSeconds - cut),
            "split within 0.5 s of the cut, ≥ 95% after it, none before");
        if (output is not null)
        {
            var rendered = Path.Combine(Directory.CreateDirectory(output.FullName).FullName, "alone-then-two-split.mp4");
            await RenderAsync(tools, plan, footage, rendered, cancellationToken);
            Console.WriteLine($"  rendered: {rendered}");
        }

        return failed;
    }

    private static async Task<bool> ThreeAsync(Tools tools, string media, DirectoryInfo? output, CancellationToken cancellationToken)
    {
        var auto = PatternParser.Parse(SplitYaml.Replace("layout: split", "layout: auto", StringComparison.Ordinal)).Pattern!;
        var footage = await TwoSpeakerFootage.BuildThreeAsync(tools.Runner, media, tools.Work, cancellationToken);
        var probe = await tools.Prober.ProbeAsync(footage, cancellationToken);
        var (analysis, _) = await tools.AnalyzeAsync(footage, probe, SpeakerNeeds, cancellationToken);
        var plan = RenderPlanner.Plan(auto, auto.Outputs[0], probe, analysis);
        var wide = plan.Layout?.Spans.Where(s => s.Kind == LayoutKind.Wide).Sum(s => s.End - s.Start) ?? 0;
        var failed = Goal(
            Invariant($"three people side by side ({probe.DurationSeconds:0.0} s, {analysis.People!.Tracks.Count} tracks), layout: auto: the whole picture {wide / probe.DurationSeconds:P0} of the time"),
            wide >= 0.95 * probe.DurationSeconds,
            "≥ 95%");
        if (output is not null)
        {
            var rendered = Path.Combine(Directory.CreateDirectory(output.FullName).FullName, "three-auto.mp4");
            await RenderAsync(tools, plan, footage, rendered, cancellationToken);
            Console.WriteLine($"  rendered: {rendered}");
        }

        return failed;
    }

    // The face's box inside the window at that time, whole (a pixel of slack for the path's rounding).
    private static bool Holds(MovingWindow window, TrackPoint face, double time, MediaProbe probe)
    {
        var (left, top) = (window.X.OffsetAt(time), window.Y.OffsetAt(time));
        return face.X * probe.DisplayWidth >= left - 1 && (face.X + face.Width) * probe.DisplayWidth <= left + window.Width + 1
            && face.Y * probe.DisplayHeight >= top - 1 && (face.Y + face.Height) * probe.DisplayHeight <= top + window.Height + 1;
    }

    private static async Task<double> RenderAsync(Tools tools, RenderPlan plan, string input, string output, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await tools.Runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(plan, input, output).ToArguments(), cancellationToken);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    // What following the speaker costs: podcast-to-clips' whole analysis (loudness, voice activity, words, faces) of the
    // footage looped to some minutes, with the speakers (8 fps, every face) and without (2 fps, the largest face).
    private static async Task<bool> CostAsync(Tools tools, string footage, double minutes, CancellationToken cancellationToken)
    {
        var looped = Path.Combine(tools.Work, "looped.mp4");
        await tools.Runner.RunAsync("ffmpeg", ["-v", "error", "-y", "-stream_loop", "-1", "-i", footage, "-t", (minutes * 60).ToString(CultureInfo.InvariantCulture), "-c", "copy", looped], cancellationToken);
        var probe = await tools.Prober.ProbeAsync(looped, cancellationToken);
        var needs = new PatternLibrary().Find("podcast-to-clips")!.Steps.Needs;
        var (_, without) = await tools.AnalyzeAsync(looped, probe, (needs & ~AnalysisNeeds.Speakers) | AnalysisNeeds.Faces, cancellationToken);
        var (_, with) = await tools.AnalyzeAsync(looped, probe, needs | AnalysisNeeds.Speakers, cancellationToken);
        // The picture's share alone: faces and voice activity, no recognition (which runs beside them and takes longest).
        var (_, facesWithout) = await tools.AnalyzeAsync(looped, probe, AnalysisNeeds.Faces | AnalysisNeeds.Speech, cancellationToken);
        var (_, facesWith) = await tools.AnalyzeAsync(looped, probe, AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers, cancellationToken);
        var length = probe.DurationSeconds;
        Console.WriteLine(Invariant($"# Cost of following the speaker, footage looped to {length / 60:0.#} min, one pass"));
        Console.WriteLine(Invariant($"  faces and voice activity only: {facesWithout:0.0} s without speakers (2 fps, largest face), {facesWith:0.0} s with (8 fps, every face): real-time factor {facesWithout / length:0.000} -> {facesWith / length:0.000} ({facesWith / facesWithout:0.00}x)"));
        Console.WriteLine(Invariant($"  podcast-to-clips' whole analysis ({needs}), without speakers {without:0.0} s, real-time factor {without / length:0.000}"));
        return Goal(Invariant($"with speakers (8 fps, every face) {with:0.0} s, real-time factor {with / length:0.000} ({with / without:0.00}x)"), with / length <= 0.25, "≤ 0.25");
    }

    private static async Task<bool> SingleHeadsAsync(Tools tools, Pattern pattern, Pattern split, string media, CancellationToken cancellationToken)
    {
        Console.WriteLine("# Single talking heads (speaker mode must behave as face mode: face in the crop, no switches)");
        var failed = false;
        foreach (var name in new[] { "talking_head/obama_wh_weekly_address_a.mp4", "talking_head/obama_wh_weekly_address_b.mp4", TwoSpeakerFootage.LeftClip })
        {
            var path = Path.Combine(media, name);
            if (!File.Exists(path))
            {
                continue;
            }

            var probe = await tools.Prober.ProbeAsync(path, cancellationToken);
            var (analysis, _) = await tools.AnalyzeAsync(path, probe, SpeakerNeeds, cancellationToken);
            var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], probe, analysis);
            var faces = analysis.Faces!.Samples.Where(s => s.Score > 0).ToList();
            if (plan.FacePath is not { } crop || faces.Count == 0)
            {
                failed |= Goal($"{name}: no face found", false, "a face");
                continue;
            }

            var inside = faces.Count(s => s.X * probe.DisplayWidth >= crop.OffsetAt(s.TimeSeconds) - 1 && (s.X + s.Width) * probe.DisplayWidth <= crop.OffsetAt(s.TimeSeconds) + crop.CropWidth + 1);
            var share = (double)inside / faces.Count;
            failed |= Goal(Invariant($"{name}: face in crop {share:P1} ({inside}/{faces.Count}), switches {Jumps(crop).Count}, tracks {analysis.People!.Tracks.Count}"), share >= 0.98 && Jumps(crop).Count == 0, "≥ 98%, 0 switches");
            var layout = RenderPlanner.Plan(split, split.Outputs[0], probe, analysis).Layout;
            failed |= Goal(Invariant($"{name}: layout: split plans {layout?.Spans.Count ?? 0} split span(s)"), layout is null, "0: one person is one crop");
        }

        return failed;
    }

    // Times the crop jumps (two keyframes at one instant more than a few pixels apart): the cuts a viewer sees.
    private static List<double> Jumps(CropPath path) =>
        [.. path.Keyframes.Zip(path.Keyframes.Skip(1)).Where(p => p.Second.Time - p.First.Time < 0.002 && Math.Abs(p.Second.Offset - p.First.Offset) > 8).Select(p => Math.Round(p.Second.Time, 2))];

    private static bool Goal(string measured, bool met, string goal)
    {
        Console.WriteLine($"  {measured}  [goal {goal}: {(met ? "met" : "MISSED")}]");
        return !met;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Tools(SourceAnalyzer Analyzer, MediaProber Prober, ToolRunner Runner, string Work)
    {
        public async Task<(SourceAnalysis Analysis, double Seconds)> AnalyzeAsync(string path, MediaProbe probe, AnalysisNeeds needs, CancellationToken cancellationToken)
        {
            var directory = Directory.CreateDirectory(Path.Combine(Work, Guid.NewGuid().ToString("N"))).FullName;
            var started = Stopwatch.GetTimestamp();
            var analysis = await Analyzer.AnalyzeAsync(path, probe, needs, directory, _ => { }, cancellationToken);
            return (analysis, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
