using System.CommandLine;
using System.Globalization;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

/// <summary>`media farm status`: queues and workers, what the dashboard's top panels show, for terminals and scripts.</summary>
internal static class FarmCommand
{
    public static Command Create()
    {
        var farm = new Command("farm", "What a running farm is doing (operators: an admin key in $MEDIA_API_KEY where keys are required)");
        var server = CommonOptions.Server();
        var json = JsonOutput.Option("the farm's status");
        var status = new Command("status", "Queue depth per pool and priority, and the workers with their slots, running stages and capabilities") { server, json };
        status.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var response = await client.Farm.GetFarmStatusAsync(new GetFarmStatusRequest(), cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(json), response, output => Print(response, output));
            return ExitCodes.Ok;
        });
        farm.Subcommands.Add(status);
        return farm;
    }

    private static void Print(FarmStatus status, TextWriter output)
    {
        output.WriteLine("queues (stages waiting)");
        foreach (var pool in status.Queues.GroupBy(q => q.Pool))
        {
            output.WriteLine($"  {pool.Key,-6} " + string.Join("  ", pool.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Priority} {q.Depth}"))));
        }

        output.WriteLine($"workers ({status.Workers.Count})");
        foreach (var worker in status.Workers)
        {
            var capabilities = string.Join(" ", worker.Capabilities.Select(c => (c.Available ? "+" : "-") + c.Name));
            var seen = (status.ObservedAt.ToDateTimeOffset() - worker.LastSeenAt.ToDateTimeOffset()).TotalSeconds;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {worker.WorkerId}  pool {worker.Pool}  {worker.Running.Count}/{worker.Slots} busy{(worker.TakingWork ? string.Empty : "  TAKES NO WORK")}  {capabilities}  seen {seen:0} s ago"));
            foreach (var stage in worker.Running)
            {
                output.WriteLine($"    {stage.Kind} {stage.JobId} (attempt {stage.Attempt})");
            }
        }
    }
}
