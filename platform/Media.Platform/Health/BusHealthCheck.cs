using Media.Platform.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Media.Platform.Health;

/// <summary>
/// Whether the message bus answers (Kafka: a metadata request within the probe's time). An outage is Degraded, not
/// Unhealthy: the API keeps accepting jobs (stored first, dispatched when the bus is back) and must stay in its
/// Service's endpoints meanwhile; /readyz and the metrics show the degradation.
/// </summary>
public sealed class BusHealthCheck(IMessageBus bus) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await bus.IsReachableAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("The message bus does not answer; work is kept and dispatched when it returns.");
}
