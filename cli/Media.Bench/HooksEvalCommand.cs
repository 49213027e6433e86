using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Media.Cli.Commands;
using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Media.Pipelines.Faces;

namespace Media.Bench;

/// <summary>
/// `media hooks eval`: the analysis behind hook scores on the shared media. Scene cuts of the 10-speaker montage
/// (a hard cut every 3 s) against the true times; where its clips start and end; faces found on the talking-head
/// clips; voice activity against the GRID word alignment; and a long input (the shared clips joined and looped
/// to several minutes): analysis real-time factor, peak memory, face detector frames/s, scorer latency, ranked
/// clips with their explanations.
/// </summary>
internal static class HooksEvalCommand
{
    private const AnalysisNeeds All = AnalysisNeeds.Speech | AnalysisNeeds.Loudness | AnalysisNeeds.Faces | AnalysisNeeds.Words;

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("folder") { Description = "The shared media folder (default: found above the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var minutes = new Option<double>("--minutes") { Description = "Length of the long input", DefaultValueFactory = _ => 5 };
        var command = new Command("eval", "Scene cuts, faces, speech windows, clip choice and speed of the hook analysis on the shared media") { folder, minutes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var media = (parse.GetValue(folder) ?? SharedMedia.Folder() ?? throw new UsageException("No folder given and no shared media folder found.")).FullName;
            var work = Directory.CreateTempSubdirectory("media-hooks-eval-").FullName;
            var configuration = new ConfigurationBuilder().Build();
            await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddMediaPipelines().BuildServiceProvider();
            try
            {
                var tools = new Tools(services.GetRequiredService<SourceAnalyzer>(), services.GetRequiredService<MediaProber>(), services.GetRequiredService<HookScorer>(), services.GetRequiredService<ToolRunner>(), work);
                await MontageAsync(tools, media, cancellationToken);
                await TalkingHeadsAsync(tools, media, cancellationToken);
                await LongInputAsync(tools, services.GetRequiredService<IFaceDetector>(), media, parse.GetValue(minutes), cancellationToken);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            return 0;
        });
        return command;
    }

    private static async Task MontageAsync(Tools tools, string media, CancellationToken cancellationToken)
    {
        var path = Path.Combine(media, "derived", "grid_montage_10speakers_30s.mp4");
        var (analysis, _, windows) = await tools.AnalyzeAsync(path, cancellationToken);
        double[] truth = [3, 6, 9, 12, 15, 18, 21, 24, 27];
        var cuts = analysis.SceneCuts ?? [];
        var hits = cuts.Count(c => truth.Any(t => Math.Abs(t - c) <= 0.2));
        var found = truth.Count(t => cuts.Any(c => Math.Abs(t - c) <= 0.2));
        var error = truth.Select(t => cuts.Select(c => Math.Abs(t - c)).DefaultIfEmpty(double.NaN).Min()).Where(e => e <= 0.2).DefaultIfEmpty(0).Average();
        Console.WriteLine(Invariant($"# Scene cuts, {Path.GetFileName(path)} (true cut every 3 s)"));
        Console.WriteLine(Invariant($"  detected {cuts.Count} at [{string.Join(", ", cuts.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))}]"));
        Console.WriteLine(Invariant($"  within 0.2 s: precision {(cuts.Count == 0 ? 0 : (double)hits / cuts.Count):P0} ({hits}/{cuts.Count}), recall {(double)found / truth.Length:P0} ({found}/{truth.Length}), mean error {error * 1000:0} ms"));

        var clips = ClipPlanner.Choose(new ClipsStep(3, 5, 9), analysis.DurationSeconds, analysis.Speech, windows, analysis.SceneCuts);
        var boundaries = (analysis.SceneCuts ?? []).Concat((analysis.Speech?.Segments ?? []).SelectMany(s => new[] { s.Start - 0.1, s.End + 0.1 })).Append(0).Append(analysis.DurationSeconds).ToList();
        Console.WriteLine("  clips (count 3, 5-9 s):");
        foreach (var clip in clips)
        {
            bool OnBoundary(double t) => boundaries.Any(b => Math.Abs(b - t) < 0.01);
            var onCut = (analysis.SceneCuts ?? []).Any(c => Math.Abs(c - clip.Start) < 0.01 || Math.Abs(c - clip.End) < 0.01);
            Console.WriteLine(Invariant($"    #{clip.Rank} {clip.Start:0.00}-{clip.End:0.00} s  start on {(OnBoundary(clip.Start) ? "boundary" : "NO BOUNDARY")}, end on {(OnBoundary(clip.End) ? "boundary" : "NO BOUNDARY")}{(onCut ? " (a cut)" : string.Empty)}  {clip.Reason}"));
        }
    }

    private static async Task TalkingHeadsAsync(Tools tools, string media, CancellationToken cancellationToken)
    {
        Console.WriteLine("# Talking heads: faces and speech windows");
        foreach (var path in Directory.GetFiles(Path.Combine(media, "talking_head")).Where(p => p.EndsWith(".mp4", StringComparison.Ordinal) || p.EndsWith(".mpg", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var (analysis, _, _) = await tools.AnalyzeAsync(path, cancellationToken, AnalysisNeeds.Speech | AnalysisNeeds.Faces);
            var samples = analysis.Faces?.Samples ?? [];
            var withFace = samples.Count(s => s.Score > 0);
            var spoken = (analysis.Speech?.Segments ?? []).Sum(s => s.Duration);
            var line = Invariant($"  {Path.GetFileName(path),-36} face on {withFace}/{samples.Count} sampled frames ({(samples.Count == 0 ? 0 : (double)withFace / samples.Count):P1}); speech {spoken:0.0} of {analysis.DurationSeconds:0.0} s");
            var align = Path.ChangeExtension(path, ".align");
            if (File.Exists(align))
            {
                // GRID alignments: "start end word" in 1/25000 s; "sil" and "sp" are not speech.
                var words = File.ReadLines(align).Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[2] is not "sil" and not "sp")
                    .Select(p => new TimeRange(double.Parse(p[0], CultureInfo.InvariantCulture) / 25000, double.Parse(p[1], CultureInfo.InvariantCulture) / 25000)).ToList();
                int both = 0, vadOnly = 0, truthOnly = 0;
                for (var t = 0.05; t < analysis.DurationSeconds; t += 0.1)
                {
                    var inVad = analysis.Speech!.Segments.Any(s => t >= s.Start && t < s.End);
                    var inTruth = words.Any(w => t >= w.Start && t < w.End);
                    (both, vadOnly, truthOnly) = (both + (inVad && inTruth ? 1 : 0), vadOnly + (inVad && !inTruth ? 1 : 0), truthOnly + (!inVad && inTruth ? 1 : 0));
                }

                line += Invariant($"; against the word alignment (100 ms steps): speech precision {(double)both / Math.Max(1, both + vadOnly):P0}, recall {(double)both / Math.Max(1, both + truthOnly):P0}");
            }

            Console.WriteLine(line);
        }
    }

    private static async Task LongInputAsync(Tools tools, IFaceDetector faces, string media, double minutes, CancellationToken cancellationToken)
    {
        var looped = await LongSource.BuildAsync(tools.Runner, media, tools.Work, minutes, cancellationToken);
        var (analysis, seconds, windows) = await tools.AnalyzeAsync(looped, cancellationToken);
        var clips = ClipPlanner.Choose(new ClipsStep(5, 20, 55), analysis.DurationSeconds, analysis.Speech, windows, analysis.SceneCuts);
        Console.WriteLine(Invariant($"# Long input: {analysis.DurationSeconds / 60:0.0} minutes ({LongSource.Describe}, looped), all features and models"));
        Console.WriteLine(Invariant($"  analysis {seconds:0.0} s = real-time factor {seconds / analysis.DurationSeconds:0.000} (2-core machine); peak memory: this process {ResourceUsage.PeakSelfMegabytes():0} MB, largest child (ffmpeg / recogniser) {ResourceUsage.PeakChildMegabytes():0} MB"));
        Console.WriteLine(Invariant($"  {analysis.SceneCuts?.Count ?? 0} scene cuts, {analysis.Speech?.Segments.Count ?? 0} speech segments, {analysis.Transcript?.Words.Count ?? 0} words, {windows.Scores.Length} windows of {windows.StepSeconds} s scored by {windows.Model}"));
        foreach (var clip in clips)
        {
            Console.WriteLine(Invariant($"    #{clip.Rank} {clip.Start,7:0.00}-{clip.End,7:0.00} s  {clip.Reason}"));
        }

        // Face detector speed on the analysis frame size (256 px wide), and scorer latency.
        var frame = new byte[AnalysisCommands.FaceFrameWidth * 144 * 3];
        new Random(1).NextBytes(frame);
        var started = Stopwatch.GetTimestamp();
        const int frames = 200;
        for (var i = 0; i < frames; i++)
        {
            faces.Detect(frame, AnalysisCommands.FaceFrameWidth, 144);
        }

        var detectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        started = Stopwatch.GetTimestamp();
        const int repeats = 20;
        for (var i = 0; i < repeats; i++)
        {
            tools.Scorer.Score(windows.Features);
        }

        var batchSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds / repeats;
        started = Stopwatch.GetTimestamp();
        const int singles = 2000;
        for (var i = 0; i < singles; i++)
        {
            tools.Scorer.Score([windows.Features[i % windows.Features.Length]]);
        }

        var singleSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds / singles;
        Console.WriteLine(Invariant($"  face detector {frames / detectSeconds:0} frames/s (256x144, one thread); scorer {batchSeconds * 1e6 / windows.Scores.Length:0.00} µs per window in one batch of {windows.Scores.Length}, {singleSeconds * 1e6:0} µs for a single-window call"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Tools(SourceAnalyzer Analyzer, MediaProber Prober, HookScorer Scorer, ToolRunner Runner, string Work)
    {
        public async Task<(SourceAnalysis Analysis, double Seconds, HookWindows Windows)> AnalyzeAsync(string path, CancellationToken cancellationToken, AnalysisNeeds needs = All)
        {
            var probe = await Prober.ProbeAsync(path, cancellationToken);
            var directory = Directory.CreateDirectory(Path.Combine(Work, Path.GetFileNameWithoutExtension(path))).FullName;
            var started = Stopwatch.GetTimestamp();
            var analysis = await Analyzer.AnalyzeAsync(path, probe, needs, directory, _ => { }, cancellationToken);
            var windows = Scorer.Windows(analysis);
            return (analysis, Stopwatch.GetElapsedTime(started).TotalSeconds, windows);
        }
    }
}
