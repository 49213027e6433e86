using Media.Platform.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Media.Workers.Hardware;

/// <summary>A GPU-pool worker is ready only once its probe found NVENC working; a CPU worker reports what it found.</summary>
public sealed class HardwareHealthCheck(WorkerHardware hardware, IOptions<WorkerOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var gpuPool = options.Value.Pool == Topics.GpuPool;
        var result = !hardware.IsProbed
            ? (gpuPool ? HealthCheckResult.Unhealthy("probing the GPU") : HealthCheckResult.Healthy("hardware not probed yet"))
            : gpuPool && !hardware.Current.Nvenc.Available
                ? HealthCheckResult.Unhealthy("GPU pool worker without a working NVENC encoder: " + hardware.Current.Nvenc.Detail)
                : HealthCheckResult.Healthy(hardware.Current.ToString());
        return Task.FromResult(result);
    }
}
