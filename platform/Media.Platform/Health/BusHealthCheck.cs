using Media.Platform.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Media.Platform.Health;

/// <summary>Ready only while the message bus answers (Kafka: a metadata request within the probe's time).</summary>
public sealed class BusHealthCheck(IMessageBus bus) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await bus.IsReachableAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The message bus does not answer.");
}
