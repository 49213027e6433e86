using System.CommandLine;
using Media.Cli.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Media.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create() =>
        Create("serve", "Run the embedded farm: job API + in-process workers", FarmRole.All, 5080, 5081);

    public static Command CreateJobApi() =>
        Create("jobapi", "Run only the job API and orchestrator (distributed mode: workers run as `media worker`)", FarmRole.Api, 5080, 5081);

    public static Command CreateWorker() =>
        Create("worker", "Run only a worker (distributed mode; serves gRPC health on --port, /metrics and probes on --http-port)", FarmRole.Worker, 0, 0);

    private static Command Create(string name, string description, FarmRole role, int defaultPort, int defaultHttpPort)
    {
        var data = new Option<string>("--data") { Description = "Data folder (job store, blobs, scratch)", DefaultValueFactory = _ => ".data" };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "gRPC (h2c) port; 0 picks a free one", DefaultValueFactory = _ => defaultPort };
        var served = role == FarmRole.Worker ? "/metrics, /healthz, /readyz" : "REST/JSON, gRPC-Web, the dashboard (/dashboard/), /metrics, /healthz, /readyz";
        var httpPort = new Option<int>("--http-port") { Description = $"Plain HTTP port for {served}; 0 picks a free one, -1 turns it off", DefaultValueFactory = _ => defaultHttpPort };
        var workers = new Option<int?>("--workers", "-w") { Description = "Stages run at once by the in-process worker (default: Media:Worker:Slots = 2)" };
        var command = new Command(name, description) { data, host, port, httpPort, workers };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var app = FarmHost.Build(new FarmHost.Settings(parse.GetValue(data)!, parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(workers), LogLevel.Information) { Role = role, HttpPort = parse.GetValue(httpPort) is >= 0 and var http ? http : null });
            await app.StartAsync(cancellationToken);
            // Scripts and tests wait for this exact line to learn the address.
            var probes = FarmHost.HttpAddress(app) is { } httpAddress ? $", metrics and probes on {httpAddress}" : string.Empty;
            Console.WriteLine($"Media Farm {name} listening on {FarmHost.Address(app)} (data: {Path.GetFullPath(parse.GetValue(data)!)}{probes})");
            try
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C / SIGTERM.
            }

            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            return ExitCodes.Ok;
        });
        return command;
    }
}
