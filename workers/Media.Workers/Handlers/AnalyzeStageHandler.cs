using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Probe;
using Media.Pipelines.Publishing;
using Media.Pipelines.Text;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.Workers.Handlers;

/// <summary>
/// Measures what the pattern's steps need (or, for a long source, merges what its chunk stages measured) and stores it
/// with the job as `analysis.json`; the renders read it.
/// </summary>
public sealed class AnalyzeStageHandler(SourceAnalyzer analyzer, LoudnessCalibrator calibrator, MediaProber prober, HookScorer hooks, Microsoft.Extensions.Options.IOptions<SpeechOptions> speech) : IStageHandler
{
    public StageKind Kind => StageKind.Analyze;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var pattern = context.Pattern;
        var input = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var probe = dispatch.SourceInfo.ToProbe();
        var script = Script(context);
        var analysis = dispatch.PartKeys.Count == 0
            ? await analyzer.AnalyzeAsync(input, probe, pattern.Steps.Needs, context.WorkDirectory, f => context.ReportProgress(f * 0.9), cancellationToken, script)
            : analyzer.Merge(await ReadPartsAsync(context, cancellationToken), probe, pattern.Steps.Needs, script);
        if (pattern.Steps.Clips is { } clips)
        {
            var windows = hooks.Windows(analysis);
            analysis = analysis with
            {
                Hooks = new HookAnalysis(windows.Model, windows.StepSeconds, windows.Scores),
                Clips = ClipPlanner.Choose(clips, probe.DurationSeconds, analysis.Speech, windows, analysis.SceneCuts),
            };
        }

        analysis = await calibrator.CalibrateAsync(
            pattern,
            probe,
            analysis,
            input,
            context.WorkDirectory,
            dispatch.Parameters,
            key => StoredMedia.LocalPathAsync(context, key, "music", StoredMedia.MaxMusicBytes, cancellationToken),
            (await StoredMedia.ProbeBookendsAsync(context, prober, pattern, cancellationToken)).ToDictionary(b => b.Key, b => b.Probe),
            cancellationToken);
        var path = Path.Combine(context.WorkDirectory, SourceAnalysis.DocumentName);
        await File.WriteAllBytesAsync(path, analysis.ToJson(), cancellationToken);
        var completed = new StageCompleted { Outputs = { await context.UploadOutputAsync(path, SourceAnalysis.DocumentName, OutputKind.Analysis, "application/json", cancellationToken) } };
        if (PublishSuggestions.FromTranscript(analysis.Transcript) is { } suggestions)
        {
            var suggestionsPath = Path.Combine(context.WorkDirectory, PublishSuggestions.DocumentName);
            await File.WriteAllBytesAsync(suggestionsPath, suggestions.ToJson(), cancellationToken);
            completed.Outputs.Add(await context.UploadOutputAsync(suggestionsPath, PublishSuggestions.DocumentName, OutputKind.Metadata, "application/json", cancellationToken));
        }

        if (pattern.Steps.Captions is not null && analysis.Transcript is { } transcript)
        {
            // Said on the job, not hidden in analysis.json: how far the captions' words can be trusted.
            var confidence = TranscriptConfidence.Of(transcript);
            completed.CaptionConfidence = new CaptionConfidence
            {
                Words = confidence.Words,
                Mean = confidence.Mean,
                LowShare = confidence.LowShare,
                LowThreshold = TranscriptConfidence.LowThreshold,
                ScriptAligned = confidence.ScriptAligned,
                Recognizer = confidence.Recognizer,
            };
            var floor = speech.Value.MinMeanConfidence;
            if (confidence.IsDoubtful(floor))
            {
                completed.Warnings.Add(new JobWarning { Code = "low_caption_confidence", Message = confidence.Warning(floor) });
            }
        }

        return completed;
    }

    /// <summary>The filmed script the captions step names (merge fields filled), if any.</summary>
    internal static string? Script(StageContext context) =>
        context.Pattern.Steps.Captions is { } captions ? MergeFields.Render(captions.Script, context.Dispatch.Parameters).Trim() : null;

    private static async Task<IReadOnlyList<AnalysisPart>> ReadPartsAsync(StageContext context, CancellationToken cancellationToken)
    {
        var parts = new List<AnalysisPart>();
        foreach (var key in context.Dispatch.PartKeys)
        {
            parts.Add(AnalysisPart.FromJson(await context.Blobs.ReadAllBytesAsync(key, cancellationToken)));
        }

        return parts;
    }
}
