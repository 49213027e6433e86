using System.CommandLine;
using Media.Cli.Client;
using Media.Client;
using Media.Cli.Hosting;
using Microsoft.Extensions.Logging;

namespace Media.Cli.Commands;

/// <summary>One-shot: start the embedded farm in this process, run one job through the real API, download the results.</summary>
internal static class ProcessCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Source video" };
        var pattern = new Option<string>("--pattern") { Description = "Pattern name", DefaultValueFactory = _ => "reframe-vertical" };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the results", DefaultValueFactory = _ => "out" };
        var parameters = CommonOptions.KeyValues("--param", "Merge field, e.g. --param title=\"Five tips\"");
        var data = new Option<string?>("--data") { Description = "Data folder (default: a temporary one, removed afterwards)" };
        var workers = new Option<int?>("--workers", "-w") { Description = "Stages run at once" };
        var command = new Command("process", "Process one file with a pattern, in-process, and save the outputs") { file, pattern, output, parameters, data, workers };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(file)!;
            if (!source.Exists)
            {
                throw new UsageException($"The file '{source.FullName}' does not exist.");
            }

            var dataDirectory = parse.GetValue(data) ?? Path.Combine(Path.GetTempPath(), "media-process-" + Guid.NewGuid().ToString("N"));
            var app = FarmHost.Build(new FarmHost.Settings(dataDirectory, "127.0.0.1", 0, parse.GetValue(workers), LogLevel.Warning));
            await app.StartAsync(cancellationToken);
            try
            {
                using var client = new FarmClient(FarmHost.Address(app));
                return await SubmitCommand.RunJobAsync(
                    client,
                    source.FullName,
                    parse.GetValue(pattern)!,
                    CommonOptions.ParseKeyValues(parse.GetValue(parameters), "--param"),
                    labels: [],
                    Protos.V1.Priority.Normal,
                    idempotencyKey: string.Empty,
                    wait: true,
                    outputDirectory: parse.GetValue(output)!,
                    json: false,
                    cancellationToken);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
                if (parse.GetValue(data) is null)
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
            }
        });
        return command;
    }
}
