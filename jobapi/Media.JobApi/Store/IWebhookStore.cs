namespace Media.JobApi.Store;

/// <summary>Webhook delivery records: every attempt of a job's webhook, and which deliveries nobody is making any more.</summary>
public interface IWebhookStore
{
    /// <summary>Stores or replaces a delivery record (name = job id, or "{job}/publish"; the record as JSON) with its state.</summary>
    Task PutWebhookDeliveryAsync(StoredDocument delivery, string state, CancellationToken cancellationToken);

    Task<StoredDocument?> GetWebhookDeliveryAsync(string tenant, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Deliveries whose sender died: jobs with a webhook_url, finished in [finishedAfter, quietSince), whose job.finished
    /// delivery, or (for a publication requested before quietSince) job.publish_requested delivery, has no record or a
    /// retrying record untouched since <paramref name="quietSince"/>.
    /// </summary>
    Task<IReadOnlyList<UnsettledWebhook>> ListUnsettledWebhooksAsync(DateTimeOffset finishedAfter, DateTimeOffset quietSince, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over an unsettled delivery: creates its record (retrying), or touches it if nobody else did since it was
    /// listed. False when another replica got there first.
    /// </summary>
    Task<bool> TryClaimWebhookAsync(UnsettledWebhook webhook, StoredDocument claim, CancellationToken cancellationToken);
}
