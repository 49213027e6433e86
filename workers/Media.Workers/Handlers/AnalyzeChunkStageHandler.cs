using Media.Pipelines.Analysis;
using Media.Protos.V1;

namespace Media.Workers.Handlers;

/// <summary>
/// Measures one time range of a long source (what the pattern's steps need, on the source's clock) and stores it for
/// the analyze stage to merge; chunks of one job run on any workers at once.
/// </summary>
public sealed class AnalyzeChunkStageHandler(SourceAnalyzer analyzer) : IStageHandler
{
    public StageKind Kind => StageKind.AnalyzeChunk;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var input = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var range = new TimeRange(dispatch.RangeStartSeconds, dispatch.RangeEndSeconds);
        var part = await analyzer.AnalyzePartAsync(
            input, dispatch.SourceInfo.ToProbe(), context.Pattern.Steps.Needs, range, context.WorkDirectory, f => context.ReportProgress(f * 0.95), cancellationToken, AnalyzeStageHandler.Script(context));
        using var document = new MemoryStream(part.ToJson());
        await context.Blobs.PutAsync(AnalysisChunks.PartKey(dispatch.OutputPrefix, dispatch.StageId), document, "application/json", cancellationToken);
        return new StageCompleted();
    }
}
