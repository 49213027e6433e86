using Media.Platform.Bus;
using Media.Platform.Hosting;
using Media.Platform.Telemetry;
using Media.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Orchestration;

/// <summary>Runs the orchestrator: prepares the store, recovers in-flight work, consumes stage events, sweeps leases.</summary>
public sealed class OrchestratorService(
    Orchestrator orchestrator,
    IMessageBus bus,
    IOptions<JobApiOptions> options,
    TimeProvider time,
    ILogger<OrchestratorService> logger) : BackgroundService
{
    // Events are small and handled in milliseconds; a deep prefetch keeps a busy farm's progress flowing on Kafka.
    private const int EventPrefetch = 1000;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The store was migrated by JobStoreMigration, the first hosted service to start.
        await orchestrator.RecoverAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ConsumeEventsAsync(stoppingToken), SweepAsync(stoppingToken));

    private async Task ConsumeEventsAsync(CancellationToken stoppingToken)
    {
        await using var subscription = bus.Subscribe("orchestrator", [new TopicWeight(Topics.Events, Prefetch: EventPrefetch)]);
        await BusConsumer.ConsumeAsync(subscription, StageEvent.Parser, async (stageEvent, delivery, cancellationToken) =>
        {
            // Progress is a heartbeat: a span each would drown the trace. Transitions continue the worker's trace, so
            // the next stages' dispatches (made inside) carry it on.
            using var activity = stageEvent.EventCase == StageEvent.EventOneofCase.Progress
                ? null
                : FarmTelemetry.StartFrom("orchestrate " + stageEvent.EventCase.ToString().ToLowerInvariant(), delivery.Message.Headers);
            activity?.SetTag("media.job_id", stageEvent.JobId).SetTag("media.stage_id", stageEvent.StageId);
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = stageEvent.JobId, ["StageId"] = stageEvent.StageId });
            await orchestrator.HandleStageEventAsync(stageEvent, cancellationToken);
        }, logger, stoppingToken);
    }

    private Task SweepAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMilliseconds), orchestrator.SweepAsync, "The lease sweep", logger, time, stoppingToken);
}
