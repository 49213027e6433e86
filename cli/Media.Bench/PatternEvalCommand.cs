using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Media.Cli.Client;
using Media.Cli.Commands;
using Media.Cli.Hosting;
using Media.Pipelines.Analysis;
using Media.Pipelines.Editing;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.Bench;

/// <summary>
/// `media patterns-eval`: every built-in pattern on every video of a folder, through the embedded farm; each
/// output checked against its preset (size, H.264 High, frame rate, length limit, loudness within 1 LU of the
/// target, audio and video ending within one frame), its burned-in text (captions and titles redrawn from the
/// output's edit plan: inside the safe area, a glyph for every character; see OverlayCheck) and, for face reframing,
/// how often the detected face is inside the crop and the largest move of the crop between frames.
/// </summary>
internal static class PatternEvalCommand
{
    private static readonly string[] VideoExtensions = [".mp4", ".mpg", ".webm", ".mov", ".mkv"];

    public static Command Create()
    {
        var media = new Argument<DirectoryInfo?>("folder") { Description = "Folder of videos (default: the shared media folder)", Arity = ArgumentArity.ZeroOrOne };
        var only = new Option<string[]>("--pattern") { Description = "Only these patterns (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("patterns-eval", "Render every built-in pattern on every video of a folder and check each output against its preset") { media, only };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(media) ?? SharedMedia.Folder() ?? throw new UsageException("No folder given and no shared media folder found.");
            var videos = folder.EnumerateFiles("*", SearchOption.AllDirectories).Where(f => VideoExtensions.Contains(f.Extension, StringComparer.OrdinalIgnoreCase)).OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
            var wanted = parse.GetValue(only) ?? [];
            var patterns = new PatternLibrary().All.Where(p => wanted.Length == 0 || wanted.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            var failures = 0;
            var checks = 0;
            await BenchFarm.RunAsync("patterns-eval", 2, async (client, data) =>
            {
                var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
                foreach (var video in videos)
                {
                    var upload = await client.UploadFileAsync(video.FullName, null, cancellationToken);
                    foreach (var pattern in patterns)
                    {
                        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = pattern.Name };
                        request.Parameters.Add("title", "Ask not: what 50% {\\b1} can do");
                        var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: cancellationToken);
                        job = await client.WaitAsync(job.Id, null, cancellationToken);
                        var problems = new List<string>();
                        var notes = new List<string>();
                        if (job.State != JobState.Succeeded)
                        {
                            problems.Add($"job {job.State}: {job.Error?.Code} {job.Error?.Message}");
                        }
                        else
                        {
                            var files = await client.DownloadOutputsAsync(job, Path.Combine(data, "out", job.Id), cancellationToken);
                            await CheckAsync(runner, pattern, job, files, problems, notes, cancellationToken);
                        }

                        checks++;
                        failures += problems.Count > 0 ? 1 : 0;
                        var rel = Path.GetRelativePath(folder.FullName, video.FullName);
                        Console.WriteLine($"{(problems.Count == 0 ? "ok  " : "FAIL")} {pattern.Name,-22} {rel,-52} {string.Join("; ", notes.Concat(problems))}");
                    }
                }
            }, cancellationToken);

            Console.WriteLine($"{checks - failures} of {checks} pattern renders conform ({videos.Count} videos x {patterns.Count} patterns)");
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task CheckAsync(ToolRunner runner, Pattern pattern, Job job, IReadOnlyList<string> files, List<string> problems, List<string> notes, CancellationToken cancellationToken)
    {
        SourceAnalysis? analysis = null;
        if (files.FirstOrDefault(f => f.EndsWith(SourceAnalysis.DocumentName, StringComparison.Ordinal)) is { } document)
        {
            analysis = SourceAnalysis.FromJson(await File.ReadAllBytesAsync(document, cancellationToken));
        }

        foreach (var output in pattern.Outputs)
        {
            // A fan-out pattern (clips step) makes "vertical-clip1.mp4", "vertical-clip2.mp4", …: each is checked.
            var names = job.Outputs.Select(o => o.Name)
                .Where(n => n == output.Name + ".mp4" || (pattern.Steps.Clips is not null && n.StartsWith(output.Name + "-clip", StringComparison.Ordinal) && n.EndsWith(".mp4", StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (names.Count == 0)
            {
                problems.Add($"{output.Name}: missing");
            }

            foreach (var name in names)
            {
                await CheckVideoAsync(runner, pattern, output, job, files, name, analysis, problems, notes, cancellationToken);
            }
        }
    }

    private static async Task CheckVideoAsync(ToolRunner runner, Pattern pattern, PatternOutput output, Job job, IReadOnlyList<string> files, string name, SourceAnalysis? analysis, List<string> problems, List<string> notes, CancellationToken cancellationToken)
    {
        var produced = job.Outputs.First(o => o.Name == name);
        var file = files.FirstOrDefault(f => f.EndsWith("-" + name, StringComparison.Ordinal));
        if (file is null)
        {
            problems.Add($"{name}: not downloaded");
            return;
        }

        var probe = await ProbeAsync(runner, file, cancellationToken);
        var copied = produced.Encoder == "copy";
        if ((probe.Width, probe.Height) != (output.Width, output.Height))
        {
            problems.Add($"{name}: {probe.Width}x{probe.Height}, want {output.Width}x{output.Height}");
        }

        if (probe.Codec != "h264" || (!copied && probe.Profile != "High"))
        {
            problems.Add($"{name}: {probe.Codec} {probe.Profile}, want h264 High");
        }

        if (Math.Abs(probe.FrameRate - output.Preset.FrameRate) > 0.01)
        {
            problems.Add($"{name}: {probe.FrameRate:0.###} fps, want {output.Preset.FrameRate}");
        }

        if (probe.Duration > output.Preset.MaxDurationSeconds + 0.05)
        {
            problems.Add($"{name}: {probe.Duration:0.##} s over the {output.Preset.MaxDurationSeconds} s limit");
        }

        if (probe.AudioDuration is { } audio && Math.Abs(probe.VideoDuration - audio) > (1.0 / probe.FrameRate) + 0.001)
        {
            problems.Add($"{name}: video {probe.VideoDuration:0.###} s vs audio {audio:0.###} s");
        }

        notes.Add(Invariant($"{name} {probe.Width}x{probe.Height} {probe.Duration:0.##}s{(copied ? " copy" : string.Empty)}"));
        if (pattern.Steps.Loudness is { } loudness && analysis?.Loudness is { IntegratedLufs: > -70 })
        {
            var lufs = await LoudnessAsync(runner, file, cancellationToken);
            notes.Add(Invariant($"{lufs:0.0} LUFS"));
            if (Math.Abs(lufs - loudness.TargetLufs) > 1)
            {
                problems.Add(Invariant($"{name}: {lufs:0.0} LUFS, target {loudness.TargetLufs}"));
            }
        }

        await CheckOverlayAsync(runner, files, name, problems, notes, cancellationToken);

        if (pattern.Reframe is ReframeMode.Face or ReframeMode.Auto or ReframeMode.Speaker && analysis?.Faces is { } faces && job.SourceInfo is { } source)
        {
            // The planner's own path: in speaker mode the speaker's, which on one-person media (all of the shared media)
            // must still keep that face in the crop.
            var path = RenderPlanner.FacePath(pattern.Steps.Reframe, analysis, source.Width, source.Height, (double)output.Width / output.Height);
            var seen = faces.Samples.Where(s => s.Score > 0).ToList();
            var inside = seen.Count(s => Inside(path, s, source.Width, source.Height));
            // Jumps at hard cuts are wanted (a new shot); everywhere else the crop must glide.
            var cuts = analysis.SceneCuts ?? [];
            var maxStep = Enumerable.Range(0, (int)(source.DurationSeconds * 30))
                .Where(i => !cuts.Any(c => c > i / 30.0 - 0.01 && c <= (i + 1) / 30.0 + 0.01))
                .Max(i => Math.Abs(path.OffsetAt((i + 1) / 30.0) - path.OffsetAt(i / 30.0)));
            notes.Add(Invariant($"face in crop {inside}/{seen.Count}, max crop move {maxStep:0.#} px/frame outside {cuts.Count} cuts"));
            if (seen.Count > 0 && inside < 0.98 * seen.Count)
            {
                problems.Add($"face inside the crop on {inside} of {seen.Count} samples");
            }
        }
    }

    // The burned-in captions and titles, drawn again from the output's own edit plan by the render's code, must stay
    // inside the safe area on every frame an event starts and have a glyph for every character.
    private static async Task CheckOverlayAsync(ToolRunner runner, IReadOnlyList<string> files, string name, List<string> problems, List<string> notes, CancellationToken cancellationToken)
    {
        var planFile = files.FirstOrDefault(f => f.EndsWith("-" + Path.GetFileNameWithoutExtension(name) + ".plan.json", StringComparison.Ordinal));
        if (planFile is null)
        {
            problems.Add($"{name}: no edit plan among the outputs");
            return;
        }

        var plan = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(await File.ReadAllTextAsync(planFile, cancellationToken)));
        if (plan.Captions is null && plan.Texts.Count == 0)
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("overlay-").FullName;
        try
        {
            var written = await RenderFiles.WriteAsync(plan, folder, FontLocator.Find(null), cancellationToken);
            string[] scripts = [.. new[] { written.Assets.CaptionsPath, written.Assets.TitlesPath }.OfType<string>()];
            var report = await OverlayCheck.RunAsync(runner, "ffmpeg", scripts, written.FontsDirectory!, plan.Width, plan.Height, TextWidths.Default, cancellationToken);
            notes.Add(report.Clean ? $"text fits on {report.Frames} frames" : $"text: {report}");
            if (!report.Clean)
            {
                problems.Add($"{name}: burned-in text {report}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool Inside(CropPath path, FaceSample face, int width, int height)
    {
        var offset = path.OffsetAt(face.TimeSeconds);
        return path.Horizontal
            ? face.X * width >= offset - 1 && (face.X + face.Width) * width <= offset + path.CropWidth + 1
            : face.Y * height >= offset - 1 && (face.Y + face.Height) * height <= offset + path.CropHeight + 1;
    }

    private sealed record OutputProbe(int Width, int Height, string Codec, string Profile, double FrameRate, double Duration, double VideoDuration, double? AudioDuration);

    private static async Task<OutputProbe> ProbeAsync(ToolRunner runner, string file, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], cancellationToken, captureStdout: true);
        using var json = JsonDocument.Parse(result.Stdout);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.First(s => s.GetProperty("codec_type").GetString() == "video");
        var audio = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "audio");
        var rate = video.GetProperty("avg_frame_rate").GetString()!.Split('/');
        return new OutputProbe(
            video.GetProperty("width").GetInt32(),
            video.GetProperty("height").GetInt32(),
            video.GetProperty("codec_name").GetString()!,
            video.TryGetProperty("profile", out var profile) ? profile.GetString()! : string.Empty,
            double.Parse(rate[0], CultureInfo.InvariantCulture) / Math.Max(1, double.Parse(rate[1], CultureInfo.InvariantCulture)),
            double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            double.Parse(video.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            audio.ValueKind == JsonValueKind.Object ? double.Parse(audio.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture) : null);
    }

    private static async Task<double> LoudnessAsync(ToolRunner runner, string file, CancellationToken cancellationToken)
    {
        var log = file + ".loudness.txt";
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", file, "-map", "0:a:0", "-af", $"ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file={log}", "-f", "null", "-"], cancellationToken);
        var last = File.ReadLines(log).Last(l => l.StartsWith("lavfi.r128.I=", StringComparison.Ordinal));
        return double.Parse(last[13..], CultureInfo.InvariantCulture);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
