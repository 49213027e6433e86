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
using Media.Pipelines.Fonts;

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
        var (pattern, output, clip) = PatternResolver.Resolve(context);
        SourceAnalysis? analysis = null;
        if (SourceAnalysis.IsNeededBy(pattern))
        {
            analysis = SourceAnalysis.FromJson(await context.Blobs.ReadAllBytesAsync($"{dispatch.OutputPrefix}/{SourceAnalysis.DocumentName}", cancellationToken));
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
        var written = await RenderFiles.WriteAsync(plan, context.WorkDirectory, FontLocator.Find(tools.Value.Font), cancellationToken);
        var assets = written.Assets with
        {
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
        var video = await context.UploadOutputAsync(localOutput, plan.OutputName + ".mp4", OutputKind.Video, "video/mp4", cancellationToken);
        var completed = new StageCompleted();
        foreach (var file in written.CaptionFiles)
        {
            var name = Path.GetFileName(file);
            completed.Outputs.Add(await context.UploadOutputAsync(file, name, OutputKind.Captions, RenderFiles.CaptionContentType(name), cancellationToken));
        }

        video.MergeFrom(new Output
        {
            DurationSeconds = result.DurationSeconds,
            Width = result.Width,
            Height = result.Height,
            VideoCodec = result.VideoCodec,
            AudioCodec = result.AudioCodec,
            Encoder = plan.VideoEncoder,
            Device = device,
        });
        completed.Outputs.Add(video);
        return completed;
    }
}
