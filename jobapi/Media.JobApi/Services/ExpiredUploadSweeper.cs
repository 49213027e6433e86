using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Services;

/// <summary>
/// Every DirectUploadSweepSeconds, aborts and forgets direct uploads that expired without being completed, and removes
/// partial streamed uploads nobody resumed within a day.
/// </summary>
public sealed class ExpiredUploadSweeper(DirectUploads uploads, PartialUploads partials, IOptions<JobApiOptions> options, TimeProvider time, ILogger<ExpiredUploadSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.DirectUploadSweepSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await uploads.AbandonExpiredAsync(time.GetUtcNow(), stoppingToken);
                    partials.RemoveAbandoned();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Sweeping expired direct uploads failed; trying again in {Seconds} s", options.Value.DirectUploadSweepSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
