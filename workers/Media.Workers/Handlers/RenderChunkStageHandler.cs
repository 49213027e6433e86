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
/// once; stored with a manifest for the render stage to check and join. A plan that cannot be split, or a range after the
/// output's end, stores only its manifest saying so.
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
        var manifestKey = RenderChunks.ManifestKey(dispatch.OutputPrefix, dispatch.StageId);
        var prepared = await preparation.PlanAsync(context, cancellationToken);
        if (prepared is null || !RenderChunks.Chunkable(prepared.Render))
        {
            // Nothing to split: the render stage renders the output in one piece.
            await StoreAsync(context, manifestKey, new RenderPartManifest(prepared?.Digest ?? string.Empty, false, 0, 0, false), cancellationToken);
            return new StageCompleted();
        }

        var plan = prepared.Render;
        var length = RenderCommandBuilder.MainLength(plan);
        var start = dispatch.RangeStartSeconds;
        var end = Math.Min(dispatch.RangeEndSeconds, length);
        var sound = RenderChunks.IsSound(dispatch.StageId);
        if (!sound && start >= length - 1e-6)
        {
            // The output ends before this range: nothing to fetch or render.
            await StoreAsync(context, manifestKey, new RenderPartManifest(prepared.Digest, true, start, start, false), cancellationToken);
            return new StageCompleted();
        }

        var input = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var (_, assets) = await preparation.FilesAsync(plan, context, cancellationToken);
        if (sound)
        {
            var audio = Path.Combine(context.WorkDirectory, "sound.m4a");
            var command = RenderCommandBuilder.BuildAudioPass(plan, input, audio, assets).ToArguments();
            logger.LogInformation("Encoding the sound of {JobId}/{Output}: {Tool} {Arguments}", dispatch.JobId, plan.OutputName, tools.Value.FFmpeg, command);
            await RunAsync(context, command, length, cancellationToken);
            await StoreMediaAsync(context, audio, "audio/mp4", cancellationToken);
            await StoreAsync(context, manifestKey, new RenderPartManifest(prepared.Digest, true, 0, length, false, Sound: true), cancellationToken);
            return new StageCompleted();
        }

        await preparation.DeviceAsync(plan, cancellationToken);
        var local = Path.Combine(context.WorkDirectory, "part.mp4");
        var arguments = (await RenderCommandBuilder.BuildVideoPart(plan, input, local, start, end, assets).WithLongGraphInFileAsync(context.WorkDirectory, cancellationToken)).ToArguments();
        logger.LogInformation("Rendering {JobId}/{Output} {Start}-{End} s: {Tool} {Arguments}", dispatch.JobId, plan.OutputName, start, end, tools.Value.FFmpeg, arguments);
        await RunAsync(context, arguments, end - start, cancellationToken);

        // A part that is not the length it should be (a source whose picture starts late or ends early) would shift
        // everything after it: it says so, and the render stage renders the output in one piece, as a single render would.
        var probed = await prober.ProbeAsync(local, cancellationToken);
        if (Math.Abs(probed.DurationSeconds - (end - start)) > 0.5 / plan.Preset.FrameRate)
        {
            logger.LogWarning("{JobId}/{Output}: the part {Start}-{End} s came out {Duration} s long; the output will be rendered in one piece", dispatch.JobId, plan.OutputName, start, end, probed.DurationSeconds);
            await StoreAsync(context, manifestKey, new RenderPartManifest(prepared.Digest, false, start, end, false), cancellationToken);
            return new StageCompleted();
        }

        await StoreMediaAsync(context, local, "video/mp4", cancellationToken);

        // The first part brings the intro's picture and the part that ends the edit the outro's (the sound stage has their
        // sound): each a second file in the parts' encoding, which the join puts before or after the parts.
        var (intro, outro) = (plan.Intro is not null && start == 0, plan.Outro is not null && end >= length - 1e-6);
        if (intro)
        {
            await StoreBookendAsync(context, plan, plan.Intro!, assets.IntroPath!, "intro", cancellationToken);
        }

        if (outro)
        {
            await StoreBookendAsync(context, plan, plan.Outro!, assets.OutroPath!, "outro", cancellationToken);
        }

        // The manifest last: a part with a manifest has its video stored.
        await StoreAsync(context, manifestKey, new RenderPartManifest(prepared.Digest, true, start, end, true, Intro: intro, Outro: outro), cancellationToken);
        return new StageCompleted();
    }

    private async Task StoreBookendAsync(StageContext context, RenderPlan plan, PlannedBookend bookend, string path, string which, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var local = Path.Combine(context.WorkDirectory, which + ".mp4");
        var arguments = RenderCommandBuilder.BuildBookendPart(plan, bookend, path, local).ToArguments();
        logger.LogInformation("Rendering the {Which} of {JobId}/{Output}: {Tool} {Arguments}", which, dispatch.JobId, plan.OutputName, tools.Value.FFmpeg, arguments);
        await runner.RunAsync(tools.Value.FFmpeg, arguments, cancellationToken);
        await using var media = File.OpenRead(local);
        await context.Blobs.PutAsync(RenderChunks.BookendKey(dispatch.OutputPrefix, dispatch.StageId, which), media, "video/mp4", cancellationToken);
    }

    private async Task RunAsync(StageContext context, IReadOnlyList<string> arguments, double seconds, CancellationToken cancellationToken)
    {
        var parser = new FFmpegProgressParser();
        await runner.RunAsync(tools.Value.FFmpeg, arguments, cancellationToken, onStdoutLine: line =>
        {
            if (parser.Feed(line) is { } progress)
            {
                context.ReportProgress(progress.OutTime.TotalSeconds / seconds * 0.95, progress.Speed, progress.Fps);
            }
        });
    }

    private static async Task StoreMediaAsync(StageContext context, string path, string contentType, CancellationToken cancellationToken)
    {
        await using var media = File.OpenRead(path);
        await context.Blobs.PutAsync(RenderChunks.MediaKey(context.Dispatch.OutputPrefix, context.Dispatch.StageId), media, contentType, cancellationToken);
    }

    private static async Task StoreAsync(StageContext context, string key, RenderPartManifest manifest, CancellationToken cancellationToken)
    {
        using var document = new MemoryStream(manifest.ToJson());
        await context.Blobs.PutAsync(key, document, "application/json", cancellationToken);
    }
}
