using Media.Pipelines.FFmpeg;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers.Handlers;

/// <summary>
/// One part of a long output (see <see cref="RenderChunks"/>): the output planned as its render stage plans it, then
/// either one range's video rendered through the whole graph, or (the sound stage) the whole output's sound encoded
/// once; stored with a manifest for the render stage to check and join. A video part may also render the same range of
/// other outputs of the same edit (the dispatch's variants) from the same decode, each stored under its own
/// <see cref="RenderChunks.VariantPartId"/>. A plan that cannot be split, or a range after the output's end, stores only
/// its manifest saying so.
/// </summary>
public sealed class RenderChunkStageHandler(
    RenderPreparation preparation,
    ToolRunner runner,
    MediaProber prober,
    IOptions<ToolPaths> tools,
    ILogger<RenderChunkStageHandler> logger) : IStageHandler
{
    public StageKind Kind => StageKind.RenderChunk;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var prepared = await preparation.PlanAsync(context, cancellationToken);
        if (RenderChunks.IsSound(dispatch.StageId))
        {
            await SoundAsync(context, prepared, cancellationToken);
            return new StageCompleted();
        }

        // This output's part, then the same range of each variant the dispatch names (other outputs of the same edit, whose
        // render stages join what this stage stores under their names): one decode of the range for all of them.
        var parts = new List<Part> { new(prepared, dispatch.StageId) };
        foreach (var variant in dispatch.VariantOutputs)
        {
            parts.Add(new(await preparation.VariantPlanAsync(context, variant, cancellationToken), RenderChunks.VariantPartId(dispatch.StageId, variant)));
        }

        var rendered = new List<(Part Part, RenderPlan Plan, double End, string Local, RenderAssets Assets)>();
        string? input = null;
        foreach (var part in parts)
        {
            if (part.Prepared is null || !RenderChunks.Chunkable(part.Prepared.Render))
            {
                // Nothing to split: its render stage renders the output in one piece.
                await StoreAsync(context, part.StageId, new RenderPartManifest(part.Prepared?.Digest ?? string.Empty, false, 0, 0, false), cancellationToken);
                continue;
            }

            var plan = part.Prepared.Render;
            var (start, end) = (dispatch.RangeStartSeconds, Math.Min(dispatch.RangeEndSeconds, RenderCommandBuilder.MainLength(plan)));
            if (start >= end - 1e-6)
            {
                // The output ends before this range: nothing to fetch or render.
                await StoreAsync(context, part.StageId, new RenderPartManifest(part.Prepared.Digest, true, start, start, false), cancellationToken);
                continue;
            }

            input ??= await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
            var (_, assets) = await preparation.FilesAsync(plan, context, cancellationToken);
            await preparation.DeviceAsync(plan, cancellationToken);
            rendered.Add((part, plan, end, Path.Combine(context.WorkDirectory, $"part{rendered.Count}.mp4"), assets));
        }

        if (rendered.Count == 0)
        {
            return new StageCompleted();
        }

        var from = dispatch.RangeStartSeconds;
        var commands = rendered.Select(r => RenderCommandBuilder.BuildVideoPart(r.Plan, input!, r.Local, from, r.End, r.Assets)).ToList();
        // One ffmpeg for the parts that read the same stretch of the source (the same edit; a shape whose part reads
        // another stretch, say one that ends sooner, gets its own).
        List<FFmpegCommand> runs = [.. commands.GroupBy(c => c.Inputs[0]).Select(g => OneDecode.Combine([.. g]))];
        foreach (var (i, run) in runs.Index())
        {
            var arguments = (await run.WithLongGraphInFileAsync(context.WorkDirectory, cancellationToken)).ToArguments();
            logger.LogInformation("Rendering {JobId}/{Outputs} {Start}-{End} s: {Tool} {Arguments}", dispatch.JobId, string.Join(", ", rendered.Select(r => r.Plan.OutputName)), from, rendered.Max(r => r.End), tools.Value.FFmpeg, arguments);
            await RunAsync(context, arguments, rendered.Max(r => r.End) - from, 0.95 * i / runs.Count, 0.95 / runs.Count, cancellationToken);
        }

        foreach (var (part, plan, end, local, assets) in rendered)
        {
            await StorePartAsync(context, part, plan, from, end, local, assets, cancellationToken);
        }

        return new StageCompleted();
    }

    // One output's part, by the stage id its media and manifest are stored under (this stage's own, or a variant's).
    private sealed record Part(PreparedPlan? Prepared, string StageId);

    private async Task SoundAsync(StageContext context, PreparedPlan? prepared, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        if (prepared is null || !RenderChunks.Chunkable(prepared.Render))
        {
            await StoreAsync(context, dispatch.StageId, new RenderPartManifest(prepared?.Digest ?? string.Empty, false, 0, 0, false), cancellationToken);
            return;
        }

        var plan = prepared.Render;
        var length = RenderCommandBuilder.MainLength(plan);
        var input = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var (_, assets) = await preparation.FilesAsync(plan, context, cancellationToken);
        var audio = Path.Combine(context.WorkDirectory, "sound.m4a");
        var command = RenderCommandBuilder.BuildAudioPass(plan, input, audio, assets).ToArguments();
        logger.LogInformation("Encoding the sound of {JobId}/{Output}: {Tool} {Arguments}", dispatch.JobId, plan.OutputName, tools.Value.FFmpeg, command);
        await RunAsync(context, command, length, 0, 0.95, cancellationToken);
        await StoreMediaAsync(context, dispatch.StageId, audio, "audio/mp4", cancellationToken);
        await StoreAsync(context, dispatch.StageId, new RenderPartManifest(prepared.Digest, true, 0, length, false, Sound: true), cancellationToken);
    }

    private async Task StorePartAsync(StageContext context, Part part, RenderPlan plan, double start, double end, string local, RenderAssets assets, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var digest = part.Prepared!.Digest;
        // A part that is not the length it should be (a source whose picture starts late or ends early) would shift
        // everything after it: it says so, and the render stage renders the output in one piece, as a single render would.
        var probed = await prober.ProbeAsync(local, cancellationToken);
        if (Math.Abs(probed.DurationSeconds - (end - start)) > 0.5 / plan.Preset.FrameRate)
        {
            logger.LogWarning("{JobId}/{Output}: the part {Start}-{End} s came out {Duration} s long; the output will be rendered in one piece", dispatch.JobId, plan.OutputName, start, end, probed.DurationSeconds);
            await StoreAsync(context, part.StageId, new RenderPartManifest(digest, false, start, end, false), cancellationToken);
            return;
        }

        await StoreMediaAsync(context, part.StageId, local, "video/mp4", cancellationToken);

        // The first part brings the intro's picture and the part that ends the edit the outro's (the sound stage has their
        // sound): each a second file in the parts' encoding, which the join puts before or after the parts.
        var (intro, outro) = (plan.Intro is not null && start == 0, plan.Outro is not null && end >= RenderCommandBuilder.MainLength(plan) - 1e-6);
        if (intro)
        {
            await StoreBookendAsync(context, part.StageId, plan, plan.Intro!, assets.IntroPath!, "intro", cancellationToken);
        }

        if (outro)
        {
            await StoreBookendAsync(context, part.StageId, plan, plan.Outro!, assets.OutroPath!, "outro", cancellationToken);
        }

        // The manifest last: a part with a manifest has its video stored.
        await StoreAsync(context, part.StageId, new RenderPartManifest(digest, true, start, end, true, Intro: intro, Outro: outro), cancellationToken);
    }

    private async Task StoreBookendAsync(StageContext context, string stageId, RenderPlan plan, PlannedBookend bookend, string path, string which, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var local = Path.Combine(context.WorkDirectory, $"{plan.OutputName}.{which}.mp4");
        var arguments = RenderCommandBuilder.BuildBookendPart(plan, bookend, path, local).ToArguments();
        logger.LogInformation("Rendering the {Which} of {JobId}/{Output}: {Tool} {Arguments}", which, dispatch.JobId, plan.OutputName, tools.Value.FFmpeg, arguments);
        await runner.RunAsync(tools.Value.FFmpeg, arguments, cancellationToken);
        await using var media = File.OpenRead(local);
        await context.Blobs.PutAsync(RenderChunks.BookendKey(dispatch.OutputPrefix, stageId, which), media, "video/mp4", cancellationToken);
    }

    private async Task RunAsync(StageContext context, IReadOnlyList<string> arguments, double seconds, double from, double share, CancellationToken cancellationToken)
    {
        var parser = new FFmpegProgressParser();
        await runner.RunAsync(tools.Value.FFmpeg, arguments, cancellationToken, onStdoutLine: line =>
        {
            if (parser.Feed(line) is { } progress)
            {
                context.ReportProgress(from + (progress.OutTime.TotalSeconds / seconds * share), progress.Speed, progress.Fps);
            }
        });
    }

    private static async Task StoreMediaAsync(StageContext context, string stageId, string path, string contentType, CancellationToken cancellationToken)
    {
        await using var media = File.OpenRead(path);
        await context.Blobs.PutAsync(RenderChunks.MediaKey(context.Dispatch.OutputPrefix, stageId), media, contentType, cancellationToken);
    }

    private static async Task StoreAsync(StageContext context, string stageId, RenderPartManifest manifest, CancellationToken cancellationToken)
    {
        using var document = new MemoryStream(manifest.ToJson());
        await context.Blobs.PutAsync(RenderChunks.ManifestKey(context.Dispatch.OutputPrefix, stageId), document, "application/json", cancellationToken);
    }
}
