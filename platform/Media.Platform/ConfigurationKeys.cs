namespace Media.Platform;

/// <summary>
/// Settings read directly rather than bound to an options class. Listed in one place so deployment files
/// (docker/, k8s/) can be checked against every key the code reads.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>The job store: sqlite or postgres.</summary>
    public const string Store = "Media:Store";

    /// <summary>Console log format: simple (default) or json (one object per line, with job/stage/tenant scopes).</summary>
    public const string LoggingFormat = "Media:Logging:Format";

    /// <summary>OTLP endpoint for traces and metrics (e.g. http://otel-collector:4317); empty: none.</summary>
    public const string OtlpEndpoint = "Media:Telemetry:OtlpEndpoint";

    /// <summary>service.name of this process's telemetry (default media-all, media-api or media-worker).</summary>
    public const string ServiceName = "Media:Telemetry:ServiceName";

    public static readonly IReadOnlyList<string> All = [Store, LoggingFormat, OtlpEndpoint, ServiceName];
}
