using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Media.Cli.Commands;
using Media.Pipelines.Models;
using Media.Pipelines.Probe;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Selection;
using Media.Pipelines.Thumbnails.Templates;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SkiaSharp;
using Media.Pipelines.Faces;
using Media.Pipelines.Fonts;

namespace Media.Bench;

/// <summary>
/// `media thumbnails-eval`: covers for every video in a folder (frame selection with faces, every built-in
/// template), a report of what was chosen (faces in frame and inside the crop, text truncation), and the
/// benchmark numbers: frame-selection time per minute of video and composites per second on one core.
/// </summary>
internal static class ThumbnailEvalCommand
{
    private static readonly string[] VideoExtensions = [".mp4", ".mpg", ".mpeg", ".webm", ".mov", ".mkv"];

    public static Command Create()
    {
        var media = new Argument<DirectoryInfo>("folder") { Description = "Folder searched (recursively) for videos" };
        var output = new Option<string>("--out", "-o") { Description = "Where the covers are written", DefaultValueFactory = _ => "out/thumbnails-eval" };
        var frames = new Option<int>("--frames") { Description = "Distinct frames per video", DefaultValueFactory = _ => 2 };
        var title = new Option<string>("--title") { Description = "Title merge field", DefaultValueFactory = _ => "This changed how I edit forever" };
        var command = new Command("thumbnails-eval", "Make covers for every video in a folder and report choices and speed") { media, output, frames, title };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(media)!;
            if (!folder.Exists)
            {
                throw new UsageException($"The folder '{folder.FullName}' does not exist.");
            }

            var outDir = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
            var tools = Options.Create(new ToolPaths());
            var prober = new MediaProber(runner, tools, Options.Create(new MediaLimits()));
            var faces = BlazeFaceDetector.CreateOrNone(new ModelOptions(), NullLogger.Instance);
            var selection = new FrameSelection(runner, tools, faces);
            using var fonts = FontSet.Create(null);
            var composer = new ThumbnailComposer(fonts);
            var parameters = new Dictionary<string, string> { ["title"] = parse.GetValue(title)!, ["subtitle"] = "Episode 12", ["emphasis"] = "forever" };
            Console.WriteLine($"face detector: {faces.Name}");
            Console.WriteLine("video | duration s | chosen frames (s) | faces in chosen | face inside crop | truncated titles | selection s | selection s per video-minute");

            double totalSelection = 0, totalDuration = 0;
            SKBitmap? sampleFrame = null;
            IReadOnlyList<FaceRegion> sampleFaces = [];
            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories).Where(f => VideoExtensions.Contains(f.Extension.ToLowerInvariant())).OrderBy(f => f.FullName, StringComparer.Ordinal))
            {
                var probe = await prober.ProbeAsync(file.FullName, cancellationToken);
                var work = Directory.CreateTempSubdirectory("thumbs-eval-").FullName;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var chosen = await selection.SelectAsync(file.FullName, probe, parse.GetValue(frames), work, cancellationToken);
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    totalSelection += seconds;
                    totalDuration += probe.DurationSeconds;
                    var inside = 0;
                    var truncated = 0;
                    var made = 0;
                    for (var k = 0; k < chosen.Count; k++)
                    {
                        var bitmap = SKBitmap.Decode(chosen[k].PngPath);
                        foreach (var template in ThumbnailTemplateLibrary.All)
                        {
                            var result = composer.Compose(template, new ThumbnailInput(bitmap, chosen[k].Candidate.Faces, parameters));
                            await File.WriteAllBytesAsync(Path.Combine(outDir, $"{Path.GetFileNameWithoutExtension(file.Name)}-{template.Name}-{k + 1}.{result.Extension}"), result.Bytes, cancellationToken);
                            inside += result.FaceInsideCrop && chosen[k].Candidate.Faces.Count > 0 ? 1 : 0;
                            truncated += result.TitleTruncated ? 1 : 0;
                            made++;
                        }

                        if (sampleFrame is null && chosen[k].Candidate.Faces.Count > 0)
                        {
                            sampleFrame = bitmap;
                            sampleFaces = chosen[k].Candidate.Faces;
                        }
                        else
                        {
                            bitmap.Dispose();
                        }
                    }

                    var withFaces = chosen.Count(c => c.Candidate.Faces.Count > 0);
                    Console.WriteLine(Invariant($"{Path.GetRelativePath(folder.FullName, file.FullName)} | {probe.DurationSeconds:0.0} | {string.Join(", ", chosen.Select(c => c.Candidate.TimeSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} | {withFaces}/{chosen.Count} | {inside}/{withFaces * ThumbnailTemplateLibrary.All.Count} | {truncated}/{made} | {seconds:0.00} | {seconds / probe.DurationSeconds * 60:0.00}"));
                }
                finally
                {
                    Directory.Delete(work, recursive: true);
                }
            }

            if (totalDuration > 0)
            {
                Console.WriteLine(Invariant($"frame selection: {totalSelection:0.00} s for {totalDuration / 60:0.00} min of video = {totalSelection / totalDuration * 60:0.00} s per minute of video"));
            }

            using (sampleFrame ??= new SKBitmap(1280, 720))
            {
                var template = ThumbnailTemplateLibrary.Find("youtube-bold")!;
                composer.Compose(template, new ThumbnailInput(sampleFrame, sampleFaces, parameters));
                const int runs = 40;
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < runs; i++)
                {
                    composer.Compose(template, new ThumbnailInput(sampleFrame, sampleFaces, parameters));
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine(Invariant($"compositing (decode excluded, one thread): {runs / elapsed:0.0} composites/s per core ({elapsed / runs * 1000:0.0} ms each, youtube-bold 1280x720 JPEG incl. encode)"));
            }

            Console.WriteLine($"covers written to {outDir}");
            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
