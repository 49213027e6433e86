using Media.Pipelines.Editing;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers.Handlers;

/// <summary>
/// One output: plan, one ffmpeg run, check the result with ffprobe, upload; with the variants the dispatch names (more
/// outputs of the same edit), all of them from the same ffmpeg: one decode, one encoder each. A long output rendered in parts (see
/// <see cref="RenderChunks"/>: video parts and one sound stage) is finished here instead: the parts and the sound joined
/// by stream copy, nothing decoded or encoded again.
/// </summary>
public sealed class RenderStageHandler(
    RenderPreparation preparation,
    ToolRunner runner,
    MediaProber prober,
    IOptions<ToolPaths> tools,
    ILogger<RenderStageHandler> logger) : IStageHandler
{
    public StageKind Kind => StageKind.Render;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var prepared = await preparation.PlanAsync(context, cancellationToken);
        if (prepared is null)
        {
            return new StageCompleted();
        }

        var made = new List<Made> { await MadeAsync(context, prepared, cancellationToken) };
        foreach (var variant in dispatch.VariantOutputs)
        {
            made.Add(await MadeAsync(context, await preparation.VariantPlanAsync(context, variant, cancellationToken), cancellationToken));
        }

        var parts = await PartsAsync(context, prepared, cancellationToken);
        var joined = parts is not null && await JoinAsync(context, prepared.Render, parts, made[0].LocalOutput, cancellationToken);
        await RenderAsync(context, joined ? made.Skip(1).ToList() : made, cancellationToken);

        var completed = new StageCompleted();
        foreach (var output in made)
        {
            completed.Outputs.Add(await StoreAsync(context, output, cancellationToken));
        }

        // The parts have served (or could not be joined): the job's folder keeps only outputs. Manifests first, so a retry
        // stopped halfway through finds no manifest and renders in one piece rather than looking for deleted media.
        foreach (var key in dispatch.PartKeys)
        {
            await context.Blobs.DeleteAsync(key, cancellationToken);
        }

        foreach (var key in dispatch.PartKeys)
        {
            await context.Blobs.DeleteAsync(RenderChunks.MediaKey(dispatch.OutputPrefix, Path.GetFileNameWithoutExtension(key)), cancellationToken);
        }

        return completed;
    }

    // One output this stage makes: its plan, the device that encodes it, where ffmpeg writes it, and the files its graph reads.
    private sealed record Made(PreparedPlan Prepared, string Device, string LocalOutput, RenderFiles.Written Written, RenderAssets Assets)
    {
        public RenderPlan Plan => Prepared.Render;
    }

    private async Task<Made> MadeAsync(StageContext context, PreparedPlan prepared, CancellationToken cancellationToken)
    {
        var device = await preparation.DeviceAsync(prepared.Render, cancellationToken);
        var (written, assets) = await preparation.FilesAsync(prepared.Render, context, cancellationToken);
        return new Made(prepared, device, Path.Combine(context.WorkDirectory, prepared.Render.OutputName + ".mp4"), written, assets);
    }

    // Every output that is encoded (all of them but stream copies) by one ffmpeg: one decode of the source feeding each
    // output's own graph and encoder. A stream copy is its own quick run (there is nothing to decode).
    private async Task RenderAsync(StageContext context, IReadOnlyList<Made> outputs, CancellationToken cancellationToken)
    {
        if (outputs.Count == 0)
        {
            return;
        }

        var input = await context.GetLocalPathAsync(context.Dispatch.SourceKey, cancellationToken);
        var encoded = outputs.Where(o => !o.Plan.StreamCopy).ToList();
        var runs = outputs.Where(o => o.Plan.StreamCopy).Select(o => (Outputs: (IReadOnlyList<Made>)[o], Command: Command(o))).ToList();
        if (encoded.Count > 0)
        {
            runs.Insert(0, (encoded, OneDecode.Combine([.. encoded.Select(Command)])));
        }

        var seconds = outputs.Max(o => o.Plan.DurationSeconds);
        foreach (var (i, (made, command)) in runs.Index())
        {
            var arguments = (await command.WithLongGraphInFileAsync(context.WorkDirectory, cancellationToken)).ToArguments();
            logger.LogInformation("Rendering {JobId}/{Outputs}: {Tool} {Arguments}", context.Dispatch.JobId, string.Join(", ", made.Select(m => m.Plan.OutputName)), tools.Value.FFmpeg, arguments);
            await RunAsync(context, arguments, seconds, 0.97 * i / runs.Count, 0.97 / runs.Count, cancellationToken);
        }

        FFmpegCommand Command(Made made) => RenderCommandBuilder.Build(made.Plan, input, made.LocalOutput, made.Assets);
    }

    // The output checked with ffprobe and stored: the video, its caption files and the edit plan it was rendered from.
    private async Task<IEnumerable<Output>> StoreAsync(StageContext context, Made made, CancellationToken cancellationToken)
    {
        var (edit, plan) = (made.Prepared.Edit, made.Plan);
        var result = await prober.ProbeAsync(made.LocalOutput, cancellationToken);
        var outputs = new List<Output>();
        var video = await context.UploadOutputAsync(made.LocalOutput, plan.OutputName + ".mp4", OutputKind.Video, "video/mp4", cancellationToken);
        foreach (var file in made.Written.CaptionFiles)
        {
            var name = Path.GetFileName(file);
            outputs.Add(await context.UploadOutputAsync(file, name, OutputKind.Captions, RenderFiles.CaptionContentType(name), cancellationToken));
        }

        var planPath = Path.Combine(context.WorkDirectory, EditPlan.DocumentName(edit.Output, edit.Revision));
        await File.WriteAllTextAsync(planPath, made.Prepared.Document, cancellationToken);
        outputs.Add(await context.UploadOutputAsync(planPath, Path.GetFileName(planPath), OutputKind.EditPlan, "application/json", cancellationToken));
        foreach (var output in outputs)
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
            Device = made.Device,
            Revision = edit.Revision,
        });
        outputs.Add(video);
        return outputs;
    }

    // The parts' media (videos in order, then the sound), when they are the whole output rendered from this very plan;
    // null: render in one piece.
    private async Task<IReadOnlyList<(RenderPartManifest Manifest, string MediaKey)>?> PartsAsync(StageContext context, PreparedPlan prepared, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        if (dispatch.PartKeys.Count == 0 || !RenderChunks.Chunkable(prepared.Render))
        {
            return null;
        }

        var parts = new List<(RenderPartManifest, string)>();
        foreach (var key in dispatch.PartKeys)
        {
            if (await context.Blobs.GetInfoAsync(key, cancellationToken) is null)
            {
                logger.LogWarning("{JobId}/{Output}: the part manifest {Key} is gone (a retry after the join); rendering in one piece", dispatch.JobId, prepared.Render.OutputName, key);
                return null;
            }

            try
            {
                parts.Add((RenderPartManifest.FromJson(await context.Blobs.ReadAllBytesAsync(key, cancellationToken)), RenderChunks.MediaKey(dispatch.OutputPrefix, Path.GetFileNameWithoutExtension(key))));
            }
            catch (BlobNotFoundException)
            {
                // Deleted between the look and the read (another attempt of this stage finished first).
                return null;
            }
        }

        // In time order, whatever order the keys came in.
        parts = [.. parts.OrderBy(p => p.Item1.Sound).ThenBy(p => p.Item1.Start)];

        if (!RenderPartManifest.Cover([.. parts.Select(p => p.Item1)], prepared.Digest, RenderCommandBuilder.MainLength(prepared.Render)))
        {
            logger.LogWarning("{JobId}/{Output}: the parts do not cover this plan (another plan, or a gap); rendering in one piece", dispatch.JobId, prepared.Render.OutputName);
            return null;
        }

        return [.. parts.Where(p => p.Item1.HasVideo || p.Item1.Sound)];
    }

    // False when the parts could not be joined (one vanished: another attempt of this stage joined and deleted them
    // first): the caller renders in one piece, as if there had been no parts.
    private async Task<bool> JoinAsync(StageContext context, RenderPlan plan, IReadOnlyList<(RenderPartManifest Manifest, string MediaKey)> parts, string output, CancellationToken cancellationToken)
    {
        logger.LogInformation("Joining {JobId}/{Output} from {Parts} video parts and its sound", context.Dispatch.JobId, plan.OutputName, parts.Count - 1);
        try
        {
            var audio = await context.GetLocalPathAsync(parts.Single(p => p.Manifest.Sound).MediaKey, cancellationToken);
            var local = new List<string>();
            foreach (var (_, key) in parts.Where(p => !p.Manifest.Sound))
            {
                local.Add(await context.GetLocalPathAsync(key, cancellationToken));
                context.ReportProgress(0.8 * local.Count / (parts.Count - 1));
            }

            var list = Path.Combine(context.WorkDirectory, "parts.ffconcat");
            await File.WriteAllTextAsync(list, RenderCommandBuilder.ConcatList(local), cancellationToken);
            await RunAsync(context, RenderCommandBuilder.BuildJoin(list, audio, output).ToArguments(), plan.MainDurationSeconds, 0.8, 0.17, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is BlobNotFoundException or FileNotFoundException or ToolFailedException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "{JobId}/{Output}: the parts could not be joined; rendering in one piece", context.Dispatch.JobId, plan.OutputName);
            context.ReportProgress(0);
            return false;
        }
    }

    private async Task RunAsync(StageContext context, IReadOnlyList<string> arguments, double seconds, double from, double share, CancellationToken cancellationToken)
    {
        var parser = new FFmpegProgressParser();
        await runner.RunAsync(tools.Value.FFmpeg, arguments, cancellationToken, onStdoutLine: line =>
        {
            if (parser.Feed(line) is { } progress && seconds > 0)
            {
                context.ReportProgress(from + (progress.OutTime.TotalSeconds / seconds * share), progress.Speed, progress.Fps);
            }
        });
    }
}
