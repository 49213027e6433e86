using System.Text;
using Media.Pipelines.Analysis;
using Media.Pipelines.Editing;
using Media.Pipelines.Json;
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
        var edit = dispatch.Revision > 1
            ? EditPlanRevision.Read(Encoding.UTF8.GetString(await context.Blobs.ReadAllBytesAsync(dispatch.PlanKey, cancellationToken))) with { Revision = dispatch.Revision }
            : await PlanAsync(context, cancellationToken);
        if (edit is null)
        {
            return new StageCompleted();
        }

        // The render compiles the stored form of the plan, so the plan a client reads is exactly what was rendered.
        var document = StrictJson.Write(edit);
        var plan = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(document));
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
        var written = await RenderFiles.WriteAsync(plan, context.WorkDirectory, FontLocator.Find(tools.Value.Font), cancellationToken, TextWidths.For(tools.Value.Font));
        var assets = written.Assets with
        {
            LogoPath = plan.Logo is { } logo ? await StoredMedia.LocalPathAsync(context, logo.SourceKey, "logo", StoredMedia.MaxLogoBytes, cancellationToken) : null,
            MusicPath = plan.Music is { } music ? await StoredMedia.LocalPathAsync(context, music.SourceKey, "music", StoredMedia.MaxMusicBytes, cancellationToken) : null,
            IntroPath = plan.Intro is { } intro ? await StoredMedia.LocalPathAsync(context, intro.SourceKey, "intro", StoredMedia.MaxBookendBytes, cancellationToken) : null,
            OutroPath = plan.Outro is { } outro ? await StoredMedia.LocalPathAsync(context, outro.SourceKey, "outro", StoredMedia.MaxBookendBytes, cancellationToken) : null,
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

        var planPath = Path.Combine(context.WorkDirectory, EditPlan.DocumentName(edit.Output, edit.Revision));
        await File.WriteAllTextAsync(planPath, document, cancellationToken);
        completed.Outputs.Add(await context.UploadOutputAsync(planPath, Path.GetFileName(planPath), OutputKind.EditPlan, "application/json", cancellationToken));
        foreach (var output in completed.Outputs)
        {
            output.Revision = edit.Revision;
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
            Revision = edit.Revision,
        });
        completed.Outputs.Add(video);
        return completed;
    }

    // The first render: the pattern planned against the analysis (null when the source gives fewer clips than asked).
    private async Task<EditPlan?> PlanAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var (pattern, output, clip) = PatternResolver.Resolve(context);
        SourceAnalysis? analysis = null;
        if (SourceAnalysis.IsNeededBy(pattern))
        {
            analysis = SourceAnalysis.FromJson(await context.Blobs.ReadAllBytesAsync($"{dispatch.OutputPrefix}/{SourceAnalysis.DocumentName}", cancellationToken));
        }

        var bookends = await StoredMedia.ProbeBookendsAsync(context, prober, pattern, cancellationToken);
        var source = dispatch.SourceInfo.ToProbe();
        try
        {
            return EditPlanMapper.From(RenderPlanner.Plan(pattern, output, source, analysis, dispatch.Parameters, clip, bookends.ToDictionary(b => b.Key, b => b.Probe), TextWidths.For(tools.Value.Font)), source);
        }
        catch (ClipNotAvailableException ex)
        {
            // A short source gives fewer clips than asked: this one has nothing to render.
            logger.LogInformation("{JobId}: {Reason}", dispatch.JobId, ex.Message);
            return null;
        }
    }
}
