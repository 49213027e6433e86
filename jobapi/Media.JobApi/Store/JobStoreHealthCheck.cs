using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Media.JobApi.Store;

/// <summary>Ready only while the job store answers.</summary>
public sealed class JobStoreHealthCheck(JobDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await database.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The job store does not answer.");
}
