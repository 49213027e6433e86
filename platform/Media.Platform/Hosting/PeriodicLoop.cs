using Microsoft.Extensions.Logging;

namespace Media.Platform.Hosting;

/// <summary>
/// The body of every background sweep: run a pass, wait an interval, again until shutdown. A failed pass is an
/// expected, transient condition (the store or the storage away for a moment): it is logged as one line naming the
/// cause, with the stack trace only at debug level, and the loop goes on. Only shutdown ends it.
/// </summary>
public static class PeriodicLoop
{
    /// <param name="what">What a pass does, for the log line ("Sweeping expired uploads").</param>
    /// <param name="runAtStart">Run the first pass at once instead of after the first interval.</param>
    public static async Task RunAsync(
        TimeSpan interval,
        Func<CancellationToken, Task> pass,
        string what,
        ILogger logger,
        TimeProvider time,
        CancellationToken stoppingToken,
        bool runAtStart = false)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            if (!runAtStart)
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }

            do
            {
                try
                {
                    await pass(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailure(logger, ex, what, interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One warning line with the cause (and its inner causes); the trace at debug level.</summary>
    public static void LogFailure(ILogger logger, Exception ex, string what, TimeSpan retryIn)
    {
        logger.LogWarning("{What} failed, trying again in {Seconds} s: {Cause}", what, retryIn.TotalSeconds, Describe(ex));
        logger.LogDebug(ex, "{What} failed", what);
    }

    /// <summary>"Type: message" for an exception and each inner one, on one line.</summary>
    public static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var current = ex; current is not null && parts.Count < 4; current = current.InnerException)
        {
            parts.Add($"{current.GetType().Name}: {current.Message.ReplaceLineEndings(" ")}");
        }

        return string.Join(" <- ", parts);
    }
}
