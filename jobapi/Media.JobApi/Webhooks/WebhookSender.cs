using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;
using Media.JobApi.Services;
using Media.JobApi.Store;
using Media.Platform.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Webhooks;

/// <summary>
/// Posts a job's final state (the same JSON as GetJob) to its webhook_url when it finishes: signed (Media-Signature),
/// retried with exponential backoff and jitter on a non-2xx answer or no answer, every attempt recorded with the job.
/// Deliveries run side by side, so one slow receiver never delays another job's webhook. A delivery whose API process
/// stopped (before its first attempt, or between retries) is taken over by a sweep in any replica: claimed in the store
/// first, so one replica resumes it, continuing the attempt count.
/// </summary>
public sealed class WebhookSender(IJobStore store, IWebhookStore deliveries, IPublicationStore publications, Publishing.PublishRequests publishRequests, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    public const string JobFinishedEvent = "job.finished";
    public const string PublishRequestedEvent = "job.publish_requested";

    private const int ResumeBatch = 200;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _delivering = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
    };

    /// <summary>Called after the commit that made a job terminal.</summary>
    public void JobFinished(string jobId) => _pending.Writer.TryWrite(new Pending(jobId, JobFinishedEvent, null, []));

    /// <summary>Called when a job's publication is due; the body is the PublishRequested message as JSON.</summary>
    public void PublishRequested(string jobId, byte[] body) => _pending.Writer.TryWrite(new Pending(jobId, PublishRequestedEvent, body, []));

    /// <summary>The stored delivery record's name: the job id for job.finished, "{job}/publish" for the hand-off.</summary>
    public static string RecordName(string jobId, string eventName) => eventName == PublishRequestedEvent ? jobId + "/publish" : jobId;

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

        var resuming = ResumeLoopAsync(stoppingToken);
        try
        {
            await foreach (var pending in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                // Not awaited: a delivery waits out its retries without holding up the next job's. DeliverAsync
                // handles its own failures and ends with the stopping token.
                _ = DeliverAsync(pending, stoppingToken);
            }
        }
        finally
        {
            await resuming;
        }
    }

    /// <summary>Takes over deliveries whose sender stopped; returns how many it resumed.</summary>
    public async Task<int> ResumeOrphanedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var resumed = 0;
        foreach (var orphan in await deliveries.ListUnsettledWebhooksAsync(now.AddHours(-settings.ResumeWindowHours), now.AddSeconds(-settings.ResumeAfterSeconds), ResumeBatch, cancellationToken))
        {
            if (_delivering.ContainsKey(orphan.RecordName))
            {
                continue;
            }

            var previous = orphan.Delivery is null ? [] : WebhookDelivery.FromJson(orphan.Delivery.Document).Attempts;
            var claim = new WebhookDelivery(orphan.JobId, orphan.Url, WebhookDelivery.Retrying, previous);
            if (!await deliveries.TryClaimWebhookAsync(orphan, new StoredDocument(orphan.Tenant, orphan.RecordName, claim.ToJson(), time.GetUtcNow()), cancellationToken))
            {
                continue;
            }

            // The hand-off's body is built again (the same message, with freshly signed output URLs).
            byte[]? body = null;
            if (orphan.Publication)
            {
                var job = await store.GetJobAsync(orphan.JobId, cancellationToken);
                var publication = await publications.GetPublicationAsync(orphan.JobId, cancellationToken);
                if (job is null || publication is null)
                {
                    continue;
                }

                body = Publishing.PublishRequests.ToJson(await publishRequests.BuildAsync(job, publication, cancellationToken));
            }

            var eventName = orphan.Publication ? PublishRequestedEvent : JobFinishedEvent;
            logger.LogInformation("Resuming the {Event} webhook of job {JobId} after {Attempts} earlier attempts (its sender stopped)", eventName, orphan.JobId, previous.Count);
            resumed++;
            _ = DeliverAsync(new Pending(orphan.JobId, eventName, body, previous), cancellationToken);
        }

        return resumed;
    }

    private Task ResumeLoopAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(TimeSpan.FromSeconds(options.Value.ResumeSweepSeconds), ResumeOrphanedAsync, "Looking for webhook deliveries to resume", logger, time, stoppingToken, runAtStart: true);

    private async Task DeliverAsync(Pending pending, CancellationToken cancellationToken)
    {
        var jobId = pending.JobId;
        var recordName = RecordName(jobId, pending.Event);
        if (!_delivering.TryAdd(recordName, 0))
        {
            return;
        }

        try
        {
            var job = await store.GetJobAsync(jobId, cancellationToken);
            if (job is null || string.IsNullOrEmpty(job.WebhookUrl))
            {
                return;
            }

            var body = pending.Body ?? System.Text.Encoding.UTF8.GetBytes(Formatter.Format(
                JobMapper.ToProto(job, await store.GetStagesAsync(jobId, cancellationToken), await store.GetOutputsAsync(jobId, cancellationToken))));
            var attempts = new List<WebhookAttempt>(pending.Previous);
            if (attempts.Count == 0)
            {
                // Recorded before the first attempt: if this process stops now, the record (quiet, retrying) is what
                // the takeover sweep finds, also for a job finishing again after RetryJob (its old record said delivered).
                await deliveries.PutWebhookDeliveryAsync(
                    new StoredDocument(job.Tenant, recordName, new WebhookDelivery(jobId, job.WebhookUrl, WebhookDelivery.Retrying, []).ToJson(), time.GetUtcNow()), WebhookDelivery.Retrying, cancellationToken);
            }

            for (var attempt = attempts.Count + 1; attempt <= Math.Max(options.Value.MaxAttempts, attempts.Count + 1); attempt++)
            {
                var result = await PostAsync(job.WebhookUrl, jobId, pending.Event, body, cancellationToken);
                attempts.Add(result);
                var delivered = result.StatusCode is >= 200 and < 300;
                var state = delivered ? WebhookDelivery.Delivered : attempt >= options.Value.MaxAttempts ? WebhookDelivery.Failed : WebhookDelivery.Retrying;
                var record = new WebhookDelivery(jobId, job.WebhookUrl, state, attempts);
                await deliveries.PutWebhookDeliveryAsync(new StoredDocument(job.Tenant, recordName, record.ToJson(), time.GetUtcNow()), state, cancellationToken);
                if (state != WebhookDelivery.Retrying)
                {
                    if (!delivered)
                    {
                        logger.LogWarning("Webhook {Event} for job {JobId} failed after {Attempts} attempts: {Error}", pending.Event, jobId, attempt, result.Error);
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
        finally
        {
            _delivering.TryRemove(recordName, out _);
        }
    }

    private async Task<WebhookAttempt> PostAsync(string url, string jobId, string eventName, byte[] body, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Media-Event", eventName);
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

    private sealed record Pending(string JobId, string Event, byte[]? Body, IReadOnlyList<WebhookAttempt> Previous);

    private TimeSpan Backoff(int attempt)
    {
        var delay = TimeSpan.FromMilliseconds(options.Value.RetryBaseDelayMilliseconds * Math.Pow(2, attempt - 1));
        var capped = delay > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : delay;
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
    }
}
