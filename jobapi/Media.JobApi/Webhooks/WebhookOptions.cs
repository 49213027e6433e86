namespace Media.JobApi.Webhooks;

/// <summary>Webhook delivery settings (Media:Webhooks).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Media:Webhooks";

    /// <summary>HMAC-SHA256 key for the Media-Signature header; empty = deliveries are sent unsigned (a warning says so at start).</summary>
    public string Secret { get; set; } = string.Empty;

    public int MaxAttempts { get; set; } = 6;

    /// <summary>First retry delay; it doubles each attempt (with ±20% jitter), capped at 5 minutes.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 2000;

    public int TimeoutSeconds { get; set; } = 10;
}
