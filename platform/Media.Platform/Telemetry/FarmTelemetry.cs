using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Media.Platform.Telemetry;

/// <summary>
/// The farm's traces and metrics (System.Diagnostics; exported by OpenTelemetry in the host). One trace runs from
/// the API call through every bus hop to the worker and its ffmpeg: the W3C "traceparent" travels in message
/// headers, whatever the transport.
/// </summary>
public static class FarmTelemetry
{
    public const string Name = "Media.Farm";
    public const string TraceParentHeader = "traceparent";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> JobsSubmitted = Meter.CreateCounter<long>("media.jobs.submitted", "{job}", "Jobs accepted by the API (tag: priority).");
    public static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>("media.jobs.finished", "{job}", "Jobs that reached a terminal state (tag: state).");
    public static readonly Counter<long> StageFailures = Meter.CreateCounter<long>("media.stage.failures", "{failure}", "Stage failures by kind and error code (tags: kind, code, retryable).");
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>("media.stage.duration", "s", "Time a worker spent on a stage (tags: kind, outcome).");
    public static readonly Histogram<double> RealTimeFactor = Meter.CreateHistogram<double>("media.stage.real_time_factor", "1", "Processing time divided by the source's duration (tag: kind); below 1 is faster than real time.");
    public static readonly Counter<long> BytesUploaded = Meter.CreateCounter<long>("media.storage.uploaded", "By", "Bytes accepted by uploads.");
    public static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("media.storage.outputs_written", "By", "Bytes of outputs workers stored (tag: kind).");

    /// <summary>Adds the current trace context to outgoing message headers (when there is one).</summary>
    public static IReadOnlyDictionary<string, string> WithTraceContext(IReadOnlyDictionary<string, string> headers)
    {
        if (Activity.Current is not { Id: { } id } || headers.ContainsKey(TraceParentHeader))
        {
            return headers;
        }

        return new Dictionary<string, string>(headers, StringComparer.Ordinal) { [TraceParentHeader] = id };
    }

    /// <summary>Starts a consumer-side activity continuing the trace a message carries (a new trace when it carries none).</summary>
    public static Activity? StartFrom(string name, IReadOnlyDictionary<string, string> headers, ActivityKind kind = ActivityKind.Consumer) =>
        headers.TryGetValue(TraceParentHeader, out var parent) && ActivityContext.TryParse(parent, null, out var context)
            ? Source.StartActivity(name, kind, context)
            : Source.StartActivity(name, kind);
}
