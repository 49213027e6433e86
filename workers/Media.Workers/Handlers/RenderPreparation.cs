using System.Text;
using Media.Pipelines.Analysis;
using Media.Pipelines.Editing;
using Media.Pipelines.Fonts;
using Media.Pipelines.Json;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Media.Platform.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers.Handlers;

/// <summary>
/// What a render stage and the parts of a chunked render both need before ffmpeg starts: the output's edit plan (the
/// pattern planned against the analysis, or a revision's stored plan), compiled from its stored form, the device that
/// encodes it, and the local files its filter graph reads. One home, so a part renders exactly the plan its join checks.
/// </summary>
public sealed class RenderPreparation(
    MediaProber prober,
    IOptions<ToolPaths> tools,
    ILogger<RenderPreparation> logger,
    Hardware.WorkerHardware hardware)
{
    /// <summary>The plan to render (null: a short source gives fewer clips than asked, nothing to render).</summary>
    public async Task<PreparedPlan?> PlanAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var edit = dispatch.Revision > 1
            ? EditPlanRevision.Read(Encoding.UTF8.GetString(await context.Blobs.ReadAllBytesAsync(dispatch.PlanKey, cancellationToken))) with { Revision = dispatch.Revision }
            : await FirstPlanAsync(context, PatternResolver.Resolve(context), cancellationToken);
        return edit is null ? null : Compiled(edit);
    }

    /// <summary>The first plan of another output of the pattern that this stage renders beside its own (a variant of the same edit).</summary>
    public async Task<PreparedPlan> VariantPlanAsync(StageContext context, string patternOutput, CancellationToken cancellationToken) =>
        Compiled(await FirstPlanAsync(context, PatternResolver.Resolve(context, patternOutput, 0), cancellationToken)
            ?? throw new PatternMismatchException($"Output '{patternOutput}' has nothing to render."));

    // The render compiles the stored form of the plan, so the plan a client reads is exactly what was rendered.
    private static PreparedPlan Compiled(EditPlan edit)
    {
        var document = StrictJson.Write(edit);
        return new PreparedPlan(edit, document, EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(document)));
    }

    /// <summary>"cpu", or the GPU that encodes an output asking for NVENC (never silently the CPU instead).</summary>
    public async Task<string> DeviceAsync(RenderPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Hardware != OutputHardware.Gpu || plan.StreamCopy)
        {
            return "cpu";
        }

        var capabilities = await hardware.WhenProbedAsync(cancellationToken);
        return capabilities.Nvenc.Available
            ? capabilities.GpuDevice
            : throw new Hardware.GpuUnavailableException($"Output '{plan.OutputName}' asks for GPU encoding and this worker's NVENC does not work ({capabilities.Nvenc.Detail}); it is not encoded on the CPU instead.");
    }

    /// <summary>The caption and title scripts written to the stage's folder, and the stored media the graph reads, fetched.</summary>
    public async Task<(RenderFiles.Written Written, RenderAssets Assets)> FilesAsync(RenderPlan plan, StageContext context, CancellationToken cancellationToken)
    {
        var written = await RenderFiles.WriteAsync(plan, context.WorkDirectory, FontLocator.Find(tools.Value.Font), cancellationToken, TextWidths.For(tools.Value.Font));
        var assets = written.Assets with
        {
            LogoPath = plan.Logo is { } logo ? await StoredMedia.LocalPathAsync(context, logo.SourceKey, "logo", StoredMedia.MaxLogoBytes, cancellationToken) : null,
            MusicPath = plan.Music is { } music ? await StoredMedia.LocalPathAsync(context, music.SourceKey, "music", StoredMedia.MaxMusicBytes, cancellationToken) : null,
            IntroPath = plan.Intro is { } intro ? await StoredMedia.LocalPathAsync(context, intro.SourceKey, "intro", StoredMedia.MaxBookendBytes, cancellationToken) : null,
            OutroPath = plan.Outro is { } outro ? await StoredMedia.LocalPathAsync(context, outro.SourceKey, "outro", StoredMedia.MaxBookendBytes, cancellationToken) : null,
        };
        return (written, assets);
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<StageContext, Task<SourceAnalysis>> _analyses = [];

    private static async Task<SourceAnalysis> ReadAnalysisAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        return SourceAnalysis.FromJson(await context.Blobs.ReadAllBytesAsync(dispatch.AnalysisKey is { Length: > 0 } recorded ? recorded : $"{dispatch.OutputPrefix}/{SourceAnalysis.DocumentName}", cancellationToken));
    }

    // The first render: the pattern planned against the analysis (null when the source gives fewer clips than asked).
    private async Task<EditPlan?> FirstPlanAsync(StageContext context, (Pattern Pattern, PatternOutput Output, int? Clip) resolved, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var (pattern, output, clip) = resolved;
        SourceAnalysis? analysis = null;
        if (SourceAnalysis.IsNeededBy(pattern))
        {
            // Read once per stage: a render with variants plans each of them from the same document (megabytes with
            // speaker tracks on a long source).
            analysis = await _analyses.GetValue(context, c => ReadAnalysisAsync(c, cancellationToken));
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

/// <param name="Edit">The edit plan as clients read it.</param>
/// <param name="Document">Its stored form (what is uploaded beside the video, and what the parts' digests are of).</param>
/// <param name="Render">The render plan compiled from the stored form.</param>
public sealed record PreparedPlan(EditPlan Edit, string Document, RenderPlan Render)
{
    public string Digest => RenderChunks.PlanDigest(Document);
}
