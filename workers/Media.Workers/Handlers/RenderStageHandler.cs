using Media.Pipelines.Analysis;
using Media.Pipelines.Captions;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Thumbnails;
using Media.Platform.Storage;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers.Handlers;

/// <summary>One output: plan, one ffmpeg run, check the result with ffprobe, upload.</summary>
public sealed class RenderStageHandler(
    ToolRunner runner,
    MediaProber prober,
    IOptions<ToolPaths> tools,
    ILogger<RenderStageHandler> logger,
    Hardware.WorkerHardware hardware) : IStageHandler
{
    public StageKind Kind => StageKind.Render;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var (pattern, output, clip) = PatternResolver.Resolve(dispatch);
        SourceAnalysis? analysis = null;
        if (pattern.Steps.Needs != AnalysisNeeds.None)
        {
            analysis = SourceAnalysis.FromJson(await context.Blobs.ReadAllBytesAsync($"{dispatch.OutputPrefix}/{AnalyzeStageHandler.DocumentName}", cancellationToken));
        }

        var bookends = await StoredMedia.ProbeBookendsAsync(context, prober, pattern, cancellationToken);
        RenderPlan plan;
        try
        {
            plan = RenderPlanner.Plan(pattern, output, dispatch.SourceInfo.ToProbe(), analysis, dispatch.Parameters, clip, bookends.ToDictionary(b => b.Key, b => b.Probe));
        }
        catch (ClipNotAvailableException ex)
        {
            // A short source gives fewer clips than asked: this one has nothing to render.
            logger.LogInformation("{JobId}: {Reason}", dispatch.JobId, ex.Message);
            return new StageCompleted();
        }

        var device = "cpu";
        if (plan.Hardware == OutputHardware.Gpu && !plan.StreamCopy)
        {
            var capabilities = await hardware.WhenProbedAsync(cancellationToken);
            if (!capabilities.Nvenc.Available)
            {
                throw new Hardware.GpuUnavailableException($"Output '{plan.OutputName}' asks for GPU encoding and this worker's NVENC does not work ({capabilities.Nvenc.Detail}); it is not encoded on the CPU instead.");
            }

            device = capabilities.GpuDevice;
        }

        var input = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var localOutput = Path.Combine(context.WorkDirectory, plan.OutputName + ".mp4");
        var textFiles = new List<string>();
        for (var i = 0; i < plan.Texts.Count; i++)
        {
            // drawtext reads the text from a file: no user character ever passes through filter syntax.
            var file = Path.Combine(context.WorkDirectory, $"{plan.OutputName}.text{i}.txt");
            await File.WriteAllTextAsync(file, plan.Texts[i].Text, cancellationToken);
            textFiles.Add(file);
        }

        var captionFiles = plan.Captions is { } captions ? await WriteCaptionsAsync(context.WorkDirectory, plan, captions, cancellationToken) : [];
        var assets = new RenderAssets
        {
            CaptionsPath = captionFiles.FirstOrDefault(f => f.EndsWith(".ass", StringComparison.Ordinal)),
            FontsDirectory = plan.Captions is null ? null : Path.GetDirectoryName(FontLocator.Find(tools.Value.Font)),
            TextFiles = textFiles,
            FontPath = plan.Texts.Count > 0 ? FontLocator.Find(tools.Value.Font) : null,
            LogoPath = plan.Logo is { } logo ? await StoredMedia.LocalPathAsync(context, logo.SourceKey, "logo", StoredMedia.MaxLogoBytes, cancellationToken) : null,
            MusicPath = plan.Music is { } music ? await StoredMedia.LocalPathAsync(context, music.SourceKey, "music", StoredMedia.MaxMusicBytes, cancellationToken) : null,
            IntroPath = plan.Intro is { } intro ? bookends.First(b => b.Key == intro.SourceKey).Path : null,
            OutroPath = plan.Outro is { } outro ? bookends.First(b => b.Key == outro.SourceKey).Path : null,
        };
        var command = RenderCommandBuilder.Build(plan, input, localOutput, assets);
        var arguments = command.ToArguments();
        logger.LogInformation("Rendering {JobId}/{Output}: {Tool} {Arguments}", dispatch.JobId, plan.OutputName, tools.Value.FFmpeg, arguments);

        var parser = new FFmpegProgressParser();
        await runner.RunAsync(
            tools.Value.FFmpeg,
            arguments,
            cancellationToken,
            onStdoutLine: line =>
            {
                if (parser.Feed(line) is { } progress && plan.DurationSeconds > 0)
                {
                    context.ReportProgress(progress.OutTime.TotalSeconds / plan.DurationSeconds * 0.97, progress.Speed, progress.Fps);
                }
            });

        var result = await prober.ProbeAsync(localOutput, cancellationToken);
        var blob = await context.UploadAsync(localOutput, plan.OutputName + ".mp4", "video/mp4", cancellationToken);
        var completed = new StageCompleted();
        foreach (var file in captionFiles)
        {
            var name = Path.GetFileName(file);
            var stored = await context.UploadAsync(file, name, CaptionContentType(name), cancellationToken);
            completed.Outputs.Add(new Output { Name = name, Kind = OutputKind.Captions, Key = stored.Key, ContentType = stored.ContentType, SizeBytes = stored.SizeBytes, Sha256 = stored.Sha256 });
        }

        completed.Outputs.Add(new Output
        {
            Name = plan.OutputName + ".mp4",
            Kind = OutputKind.Video,
            Key = blob.Key,
            ContentType = blob.ContentType,
            SizeBytes = blob.SizeBytes,
            Sha256 = blob.Sha256,
            DurationSeconds = result.DurationSeconds,
            Width = result.Width,
            Height = result.Height,
            VideoCodec = result.VideoCodec,
            AudioCodec = result.AudioCodec,
            Encoder = plan.VideoEncoder,
            Device = device,
        });
        return completed;
    }

    // The burn-in script and the sidecar files, named after the output ("vertical.srt", …).
    private static async Task<IReadOnlyList<string>> WriteCaptionsAsync(string folder, RenderPlan plan, PlannedCaptions captions, CancellationToken cancellationToken)
    {
        var files = new List<(string Name, string Text)>
        {
            ($"{plan.OutputName}.ass", AssWriter.Write(captions.Captions, captions.Step, plan.Width, plan.Height, "DejaVu Sans", captions.Emphasis)),
            ($"{plan.OutputName}.srt", SubtitleFiles.Srt(captions.Captions)),
            ($"{plan.OutputName}.vtt", SubtitleFiles.WebVtt(captions.Captions)),
            ($"{plan.OutputName}.words.json", SubtitleFiles.WordsJson(captions.Transcript, captions.Words)),
        };
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, text, cancellationToken);
            paths.Add(path);
        }

        return paths;
    }

    private static string CaptionContentType(string name) => Path.GetExtension(name) switch
    {
        ".srt" => "application/x-subrip",
        ".vtt" => "text/vtt",
        ".ass" => "text/x-ssa",
        _ => "application/json",
    };
}
