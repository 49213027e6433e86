using Media.Platform.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Media.Platform.Health;

/// <summary>
/// Whether object storage answers (a metadata read of a key that need not exist). An outage is Degraded: stages
/// retry through it and the API's other calls keep working.
/// </summary>
public sealed class BlobStoreHealthCheck(IBlobStore blobs) : IHealthCheck
{
    private const string ProbeKey = "health/probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await blobs.GetInfoAsync(ProbeKey, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("Object storage does not answer: " + ex.Message);
        }
    }
}
