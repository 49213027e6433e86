using Media.Cli.Client;
using Media.Client;
using Media.Cli.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Media.IntegrationTests;

/// <summary>The embedded farm started inside the test process on a free loopback port, with a gRPC client.</summary>
/// <param name="dataDirectory">A folder to run on (a restart of an earlier farm; the caller removes it), or null for a fresh one removed on dispose.</param>
public sealed class InProcessFarm(IReadOnlyDictionary<string, string?>? overrides = null, string? dataDirectory = null) : IAsyncLifetime
{
    private WebApplication? _app;

    public InProcessFarm()
        : this(null)
    {
    }

    public string DataDirectory { get; } = dataDirectory ?? Path.Combine(Path.GetTempPath(), "media-farm-" + Guid.NewGuid().ToString("N"));

    public FarmClient Client { get; private set; } = null!;

    /// <summary>The gRPC (h2c) address.</summary>
    public string Address => _app is null ? throw new InvalidOperationException("The farm is not started.") : FarmHost.Address(_app);

    /// <summary>Plain HTTP (/metrics, /healthz, /readyz).</summary>
    public string HttpAddress => (_app is null ? null : FarmHost.HttpAddress(_app)) ?? throw new InvalidOperationException("The farm has no HTTP port.");

    /// <summary>The farm's services (its bus, store), for tests that watch from inside.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The farm is not started.");

    public async Task InitializeAsync()
    {
        _app = FarmHost.Build(new FarmHost.Settings(DataDirectory, "127.0.0.1", 0, 2, LogLevel.Warning) { Overrides = overrides ?? new Dictionary<string, string?>(), HttpPort = 0 });
        await _app.StartAsync();
        // Upload journals under the farm's folder, not the user's cache.
        Client = new FarmClient(FarmHost.Address(_app)) { ResumeDirectory = Path.Combine(DataDirectory, "client-uploads") };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (dataDirectory is null)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
