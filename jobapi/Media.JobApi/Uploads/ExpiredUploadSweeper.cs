using Media.Platform.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Uploads;

/// <summary>
/// Every DirectUploadSweepSeconds, aborts and forgets direct uploads that expired without being completed, and removes
/// partial streamed uploads nobody resumed within a day.
/// </summary>
public sealed class ExpiredUploadSweeper(DirectUploads uploads, PartialUploads partials, IOptions<JobApiOptions> options, TimeProvider time, ILogger<ExpiredUploadSweeper> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(
            TimeSpan.FromSeconds(options.Value.DirectUploadSweepSeconds),
            async cancellationToken =>
            {
                await uploads.AbandonExpiredAsync(time.GetUtcNow(), cancellationToken);
                partials.RemoveAbandoned();
            },
            "Sweeping expired direct uploads",
            logger,
            time,
            stoppingToken);
}
