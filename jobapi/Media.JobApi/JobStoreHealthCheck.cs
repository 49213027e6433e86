using Media.JobApi.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Media.JobApi;

/// <summary>Ready only while the job store answers.</summary>
public sealed class JobStoreHealthCheck(IJobStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The job store does not answer.");
}
