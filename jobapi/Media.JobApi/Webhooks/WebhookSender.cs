using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;
using Media.JobApi.Services;
using Media.JobApi.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Webhooks;

/// <summary>
/// Posts a job's final state (the same JSON as GetJob) to its webhook_url when it finishes: signed (Media-Signature),
/// retried with exponential backoff and jitter on a non-2xx answer or no answer, every attempt recorded with the job.
/// Deliveries run side by side, so one slow receiver never delays another job's webhook.
/// </summary>
public sealed class WebhookSender(IJobStore store, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private readonly Channel<string> _finished = Channel.CreateUnbounded<string>();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
    };

    /// <summary>Called after the commit that made a job terminal.</summary>
    public void JobFinished(string jobId) => _finished.Writer.TryWrite(jobId);

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.Value.Secret))
        {
            logger.LogWarning("Media:Webhooks:Secret is not set: webhooks are sent without a Media-Signature header.");
        }

        await foreach (var jobId in _finished.Reader.ReadAllAsync(stoppingToken))
        {
            // Not awaited: a delivery waits out its retries without holding up the next job's. DeliverAsync
            // handles its own failures and ends with the stopping token.
            _ = DeliverAsync(jobId, stoppingToken);
        }
    }

    private async Task DeliverAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var job = await store.GetJobAsync(jobId, cancellationToken);
            if (job is null || string.IsNullOrEmpty(job.WebhookUrl))
            {
                return;
            }

            var view = JobMapper.ToProto(job, await store.GetStagesAsync(jobId, cancellationToken), await store.GetOutputsAsync(jobId, cancellationToken));
            var body = System.Text.Encoding.UTF8.GetBytes(Formatter.Format(view));
            var attempts = new List<WebhookAttempt>();
            for (var attempt = 1; attempt <= options.Value.MaxAttempts; attempt++)
            {
                var result = await PostAsync(job.WebhookUrl, jobId, body, cancellationToken);
                attempts.Add(result);
                var delivered = result.StatusCode is >= 200 and < 300;
                var state = delivered ? WebhookDelivery.Delivered : attempt == options.Value.MaxAttempts ? WebhookDelivery.Failed : WebhookDelivery.Retrying;
                var record = new WebhookDelivery(jobId, job.WebhookUrl, state, attempts);
                await store.PutWebhookDeliveryAsync(new StoredDocument(job.Tenant, jobId, record.ToJson(), time.GetUtcNow()), cancellationToken);
                if (state != WebhookDelivery.Retrying)
                {
                    if (!delivered)
                    {
                        logger.LogWarning("Webhook for job {JobId} failed after {Attempts} attempts: {Error}", jobId, attempt, result.Error);
                    }

                    return;
                }

                await Task.Delay(Backoff(attempt), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Webhook delivery for job {JobId} stopped", jobId);
        }
    }

    private async Task<WebhookAttempt> PostAsync(string url, string jobId, byte[] body, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Media-Event", "job.finished");
        request.Headers.Add("Media-Delivery", jobId);
        if (!string.IsNullOrEmpty(options.Value.Secret))
        {
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(options.Value.Secret, at.ToUnixTimeSeconds(), body));
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var ok = response.IsSuccessStatusCode;
            return new WebhookAttempt(at, (int)response.StatusCode, ok ? string.Empty : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(at, 0, ex is TaskCanceledException ? $"no answer within {options.Value.TimeoutSeconds} s" : ex.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = TimeSpan.FromMilliseconds(options.Value.RetryBaseDelayMilliseconds * Math.Pow(2, attempt - 1));
        var capped = delay > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : delay;
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
    }
}
