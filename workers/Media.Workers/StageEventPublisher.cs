using Google.Protobuf;
using Media.Platform.Bus;
using Media.Protos.V1;

namespace Media.Workers;

/// <summary>Sends stage events to media.events, keyed by job id so one job's events stay in order.</summary>
public sealed class StageEventPublisher(IMessageBus bus)
{
    public ValueTask PublishAsync(StageEvent stageEvent, CancellationToken cancellationToken) =>
        bus.PublishAsync(new BusMessage(Topics.Events, stageEvent.JobId, stageEvent.ToByteArray()), cancellationToken);
}
