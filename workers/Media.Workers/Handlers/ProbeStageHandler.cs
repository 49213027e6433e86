using Media.Pipelines.Probe;
using Media.Protos.V1;

namespace Media.Workers.Handlers;

/// <summary>ffprobe the source; the result is what every later stage plans with.</summary>
public sealed class ProbeStageHandler(MediaProber prober) : IStageHandler
{
    public StageKind Kind => StageKind.Probe;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var path = await context.GetLocalPathAsync(context.Dispatch.SourceKey, cancellationToken);
        context.ReportProgress(0.5);
        var probe = await prober.ProbeAsync(path, cancellationToken);
        return new StageCompleted { MediaInfo = probe.ToProto() };
    }
}
