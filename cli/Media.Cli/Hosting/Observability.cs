using Media.Platform;
using Media.Platform.Health;
using Media.Platform.Telemetry;
using Media.Pipelines.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Media.Cli.Hosting;

/// <summary>
/// Traces (API → bus → worker → ffmpeg), metrics on a Prometheus endpoint, and liveness/readiness over plain
/// HTTP/1.1 on the HTTP port (probes and scrapers do not speak h2c). OTLP export when an endpoint is configured.
/// </summary>
internal static class Observability
{
    public const string ReadyTag = "ready";

    public static void AddFarmObservability(this WebApplicationBuilder builder, FarmRole role)
    {
        var otlp = builder.Configuration[ConfigurationKeys.OtlpEndpoint];
        var serviceName = builder.Configuration[ConfigurationKeys.ServiceName] is { Length: > 0 } name ? name : "media-" + role.ToString().ToLowerInvariant();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(FarmTelemetry.Name, ToolTelemetry.Name).AddAspNetCoreInstrumentation();
                if (!string.IsNullOrEmpty(otlp))
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(FarmTelemetry.Name).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddPrometheusExporter();
                if (!string.IsNullOrEmpty(otlp))
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            });

        builder.Services.AddHealthChecks()
            .AddCheck<BusHealthCheck>("bus", tags: [ReadyTag])
            .AddCheck<BlobStoreHealthCheck>("storage", tags: [ReadyTag]);
    }

    /// <summary>/metrics, /healthz (the process answers) and /readyz (store, bus and storage answer).</summary>
    public static void MapFarmObservability(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? " (" + d + ")" : string.Empty)}");
        return context.Response.WriteAsync($"{report.Status}\n{string.Join('\n', lines)}\n");
    }
}
