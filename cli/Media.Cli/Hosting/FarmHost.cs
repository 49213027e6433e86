using System.Net;
using Media.JobApi;
using Media.JobApi.Http;
using Media.Platform;
using Media.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Media.Cli.Hosting;

/// <summary>
/// Builds the host of every farm role: the whole farm in one process (gRPC job API + in-process workers on the
/// in-process bus, folder storage and SQLite, all under one data folder), or only the job API, or only a worker.
/// Environment variables (Media__...) override the defaults here; explicit command-line flags override both.
/// </summary>
public static class FarmHost
{
    public sealed record Settings(string DataDirectory, string Host, int Port, int? Slots, LogLevel LogLevel)
    {
        /// <summary>What this process runs: everything (embedded), only the job API, or only a worker.</summary>
        public FarmRole Role { get; init; } = FarmRole.All;

        /// <summary>
        /// The plain HTTP/1.1 port for /metrics, /healthz and /readyz (Prometheus and Kubernetes probes do not speak
        /// h2c); null: none, 0: a free one.
        /// </summary>
        public int? HttpPort { get; init; }

        /// <summary>Configuration that wins over everything else (tests, embedding hosts).</summary>
        public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();
    }

    public static WebApplication Build(Settings settings)
    {
        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var defaults = new Dictionary<string, string?>
        {
            ["Media:JobApi:DataDirectory"] = dataDirectory,
            ["Media:Storage:Folder:Root"] = Path.Combine(dataDirectory, "blobs"),
            ["Media:Worker:WorkDirectory"] = Path.Combine(dataDirectory, "work"),
        };
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = defaults });
        if (settings.Slots is { } slots)
        {
            builder.Configuration.AddInMemoryCollection([new("Media:Worker:Slots", slots.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        }

        builder.Configuration.AddInMemoryCollection(settings.Overrides);
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration[ConfigurationKeys.LoggingFormat], "json", StringComparison.OrdinalIgnoreCase))
        {
            // One JSON object per line with the job, stage and tenant ids of the scope: for log collectors.
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC over cleartext HTTP/2 (h2c): clients must use http://host:port with prior knowledge.
            kestrel.Listen(IPAddress.Parse(settings.Host), settings.Port, listen => listen.Protocols = HttpProtocols.Http2);
            if (settings.HttpPort is { } httpPort)
            {
                kestrel.Listen(IPAddress.Parse(settings.Host), httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        builder.AddFarmObservability(settings.Role);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddMediaPlatform(builder.Configuration);
        if (settings.Role != FarmRole.All && !string.Equals(builder.Configuration["Media:Bus"], "kafka", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"A separate {settings.Role.ToString().ToLowerInvariant()} process needs a shared bus: set Media__Bus=kafka (and Media__Kafka__BootstrapServers), a shared store (Media__Store=postgres) and shared storage (Media__Storage=s3).");
        }

        if (settings.Role != FarmRole.Worker)
        {
            builder.Services.AddMediaJobApi();
        }
        else
        {
            // A worker serves only grpc.health.v1, for liveness and readiness probes.
            builder.Services.AddGrpc();
            builder.Services.AddGrpcHealthChecks();
        }

        if (settings.Role != FarmRole.Api)
        {
            builder.Services.AddMediaWorkers();
        }

        var app = builder.Build();
        if (settings.Role == FarmRole.Worker)
        {
            app.MapGrpcHealthChecksService();
        }
        else
        {
            // gRPC-Web (browsers) rides on the plain HTTP port with the REST routes.
            app.UseCors();
            app.UseGrpcWeb();
            app.UseRestContract();
            app.MapMediaJobApi();
        }

        // Also answered on the h2c port (harmless); the HTTP port is what probes and scrapers use.
        app.MapFarmObservability();

        return app;
    }

    /// <summary>The plain-HTTP address (/metrics, /healthz, /readyz), when Settings.HttpPort was set.</summary>
    public static string? HttpAddress(WebApplication app) => Addresses(app) is [_, var http, ..] ? http : null;

    /// <summary>The address the started app really listens on (port 0 becomes the chosen port).</summary>
    public static string Address(WebApplication app) => Addresses(app) is [var grpc, ..] ? grpc : throw new InvalidOperationException("The server has no address.");

    // In listen order (gRPC first, then plain HTTP), with wildcard hosts made dialable.
    private static List<string> Addresses(WebApplication app) =>
        (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(a => a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))
            .ToList();
}
