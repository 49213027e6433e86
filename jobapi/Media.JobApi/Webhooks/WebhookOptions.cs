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

    /// <summary>
    /// A finished job's delivery with no record, or a retrying one untouched this long, has lost its sender (an API process
    /// that stopped) and is taken over. Longer than the longest wait between two attempts (5 min with jitter, plus the timeout).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 86400)]
    public int ResumeAfterSeconds { get; set; } = 420;

    /// <summary>How often deliveries to take over are looked for.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int ResumeSweepSeconds { get; set; } = 60;

    /// <summary>Jobs finished longer ago than this are not delivered any more after a restart.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 720)]
    public int ResumeWindowHours { get; set; } = 24;
}
