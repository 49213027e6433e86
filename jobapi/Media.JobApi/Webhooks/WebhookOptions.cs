namespace Media.JobApi.Webhooks;

/// <summary>Webhook delivery settings (Media:Webhooks).</summary>
public sealed class WebhookOptions : System.ComponentModel.DataAnnotations.IValidatableObject
{
    public const string Section = "Media:Webhooks";

    /// <summary>HMAC-SHA256 key for the Media-Signature header; empty = deliveries are sent unsigned (a warning says so at start).</summary>
    public string Secret { get; set; } = string.Empty;

    [System.ComponentModel.DataAnnotations.Range(1, 50)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First retry delay; it doubles each attempt (with ±20% jitter), capped at 5 minutes.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 300_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 2000;

    [System.ComponentModel.DataAnnotations.Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// A finished job's delivery with no record, or a retrying one untouched this long, has lost its sender (an API process
    /// that stopped) and is taken over. Must be longer than the longest wait between two attempts (the largest backoff,
    /// at most 5 min, with jitter, plus the timeout): checked at start.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 86400)]
    public int ResumeAfterSeconds { get; set; } = 420;

    /// <summary>How often deliveries to take over are looked for.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int ResumeSweepSeconds { get; set; } = 60;

    /// <summary>Jobs finished longer ago than this are not delivered any more after a restart.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 720)]
    public int ResumeWindowHours { get; set; } = 24;

    /// <summary>The longest a live delivery goes without touching its record: the largest backoff (with jitter) plus one attempt's timeout.</summary>
    public TimeSpan LongestSilence =>
        (TimeSpan.FromMilliseconds(Math.Min(300_000, RetryBaseDelayMilliseconds * Math.Pow(2, Math.Max(0, MaxAttempts - 2)))) * 1.2) + TimeSpan.FromSeconds(TimeoutSeconds);

    public IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate(System.ComponentModel.DataAnnotations.ValidationContext validationContext)
    {
        // A delivery quiet for less than this may still be alive: taking it over would post it twice.
        if (ResumeAfterSeconds <= LongestSilence.TotalSeconds)
        {
            yield return new($"ResumeAfterSeconds must be more than the longest wait between two attempts ({LongestSilence.TotalSeconds:0.#} s with these MaxAttempts, RetryBaseDelayMilliseconds and TimeoutSeconds).", [nameof(ResumeAfterSeconds)]);
        }
    }
}
