using Media.Platform.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Retention;

/// <summary>Runs <see cref="RetentionSweep"/> every Media:Retention:SweepMinutes, first at start (after the store is migrated).</summary>
public sealed class RetentionSweeper(RetentionSweep sweep, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(
            TimeSpan.FromMinutes(options.Value.SweepMinutes),
            sweep.RunAsync,
            "Deleting expired jobs and unused uploads",
            logger,
            time,
            stoppingToken,
            runAtStart: true);
}
