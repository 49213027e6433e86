namespace Media.JobApi.Webhooks;

/// <summary>One delivery attempt: when, the HTTP status (0 when no answer), why it failed, how long it took.</summary>
public sealed record WebhookAttempt(DateTimeOffset At, int StatusCode, string Error, double Milliseconds);

/// <summary>A job's terminal-state webhook and every attempt to deliver it (stored as JSON, listed by ListWebhookDeliveries).</summary>
public sealed record WebhookDelivery(string JobId, string Url, string State, IReadOnlyList<WebhookAttempt> Attempts)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public const string Delivered = "delivered";
    public const string Retrying = "retrying";
    public const string Failed = "failed";

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);

    public static WebhookDelivery FromJson(string json) => System.Text.Json.JsonSerializer.Deserialize<WebhookDelivery>(json, Json)
        ?? throw new InvalidDataException("An empty webhook delivery record.");
}
