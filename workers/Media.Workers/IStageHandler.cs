using Media.Protos.V1;

namespace Media.Workers;

/// <summary>Runs one kind of stage.</summary>
public interface IStageHandler
{
    StageKind Kind { get; }

    Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken);
}
