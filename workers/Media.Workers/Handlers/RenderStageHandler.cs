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
        if (!joined && dispatch.PartKeys.Count > 0 && RenderChunks.Chunkable(prepared.Render))
        {
            // Said to the client too: the output is right, but it was rendered twice over, once of it on one worker.
            completed.Warnings.Add(new JobWarning
            {
                Code = RenderChunks.PartsUnusedWarning,
                Subject = prepared.Render.OutputName,
                Message = $"Output '{prepared.Render.OutputName}' was rendered in parts on several workers, but the parts could not be joined (see the worker's log); it was rendered again in one piece on one worker: the same output, later.",
            });
        }

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

        foreach (var key in dispatch.PartKeys.SelectMany(k => RenderChunks.MediaKeys(dispatch.OutputPrefix, Path.GetFileNameWithoutExtension(k))))
        {
            await context.Blobs.DeleteAsync(key, cancellationToken);
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

    // The parts (videos in order, then the sound) by stage id, when they are the whole output rendered from this very plan;
    // null: render in one piece.
    private async Task<IReadOnlyList<(RenderPartManifest Manifest, string StageId)>?> PartsAsync(StageContext context, PreparedPlan prepared, CancellationToken cancellationToken)
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
                parts.Add((RenderPartManifest.FromJson(await context.Blobs.ReadAllBytesAsync(key, cancellationToken)), Path.GetFileNameWithoutExtension(key)));
            }
            catch (BlobNotFoundException)
            {
                // Deleted between the look and the read (another attempt of this stage finished first).
                return null;
            }
        }

        // In time order, whatever order the keys came in.
        parts = [.. parts.OrderBy(p => p.Item1.Sound).ThenBy(p => p.Item1.Start)];

        var plan = prepared.Render;
        if (!RenderPartManifest.Cover([.. parts.Select(p => p.Item1)], prepared.Digest, RenderCommandBuilder.MainLength(plan), plan.Intro is not null, plan.Outro is not null))
        {
            logger.LogWarning("{JobId}/{Output}: the parts do not cover this plan (another plan, or a gap); rendering in one piece", dispatch.JobId, prepared.Render.OutputName);
            return null;
        }

        return [.. parts.Where(p => p.Item1.HasVideo || p.Item1.Sound)];
    }

    // False when the parts could not be joined (one vanished: another attempt of this stage joined and deleted them
    // first): the caller renders in one piece, as if there had been no parts.
    private async Task<bool> JoinAsync(StageContext context, RenderPlan plan, IReadOnlyList<(RenderPartManifest Manifest, string StageId)> parts, string output, CancellationToken cancellationToken)
    {
        logger.LogInformation("Joining {JobId}/{Output} from {Parts} video parts and its sound", context.Dispatch.JobId, plan.OutputName, parts.Count - 1);
        var prefix = context.Dispatch.OutputPrefix;
        try
        {
            var audio = await context.GetLocalPathAsync(RenderChunks.MediaKey(prefix, parts.Single(p => p.Manifest.Sound).StageId), cancellationToken);
            // The intro's picture before the first part's, the outro's after the last's.
            var videos = parts.Where(p => !p.Manifest.Sound).ToList();
            List<string> keys =
            [
                .. videos.Where(p => p.Manifest.Intro).Select(p => RenderChunks.BookendKey(prefix, p.StageId, "intro")),
                .. videos.Select(p => RenderChunks.MediaKey(prefix, p.StageId)),
                .. videos.Where(p => p.Manifest.Outro).Select(p => RenderChunks.BookendKey(prefix, p.StageId, "outro")),
            ];
            var local = new List<string>();
            foreach (var key in keys)
            {
                local.Add(await context.GetLocalPathAsync(key, cancellationToken));
                context.ReportProgress(0.8 * local.Count / keys.Count);
            }

            var list = Path.Combine(context.WorkDirectory, "parts.ffconcat");
            await File.WriteAllTextAsync(list, RenderCommandBuilder.ConcatList(local), cancellationToken);
            await RunAsync(context, RenderCommandBuilder.BuildJoin(list, audio, output).ToArguments(), plan.DurationSeconds, 0.8, 0.17, cancellationToken);
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
