using Media.Cli.Client;
using Media.Client;
using Media.Cli.Hosting;
using Microsoft.Extensions.Logging;

namespace Media.Bench;

/// <summary>An embedded farm in this process for a benchmark or evaluation run, with a client and a scratch folder; gone afterwards.</summary>
internal static class BenchFarm
{
    public static async Task RunAsync(string name, int workers, Func<FarmClient, string, Task> body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var data = Path.Combine(Path.GetTempPath(), $"media-{name}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var app = FarmHost.Build(new FarmHost.Settings(data, "127.0.0.1", 0, workers, LogLevel.Warning) { Overrides = overrides ?? new Dictionary<string, string?>() });
        await app.StartAsync(cancellationToken);
        try
        {
            using var client = new FarmClient(FarmHost.Address(app));
            await body(client, data);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
