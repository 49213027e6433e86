using System.CommandLine;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

internal static class JobsCommand
{
    public static Command Create()
    {
        var jobs = new Command("jobs", "List, inspect, follow and cancel jobs on a running farm");

        var server = CommonOptions.Server();
        var state = new Option<string?>("--state") { Description = "queued, running, succeeded, failed or cancelled" };
        var labels = CommonOptions.KeyValues("--label", "Only jobs with this label");
        var pageSize = new Option<int>("--page-size") { Description = "Jobs per page", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string>("--page-token") { Description = "Token printed at the end of the previous page", DefaultValueFactory = _ => string.Empty };
        var json = new Option<bool>("--json") { Description = "Print the response as JSON (proto3 JSON mapping) for scripts" };
        var list = new Command("list", "List jobs, newest first") { server, state, labels, pageSize, pageToken, json };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var request = new ListJobsRequest { State = ParseState(parse.GetValue(state)), PageSize = parse.GetValue(pageSize), PageToken = parse.GetValue(pageToken)! };
            request.Labels.Add(CommonOptions.ParseKeyValues(parse.GetValue(labels), "--label"));
            var response = await client.Jobs.ListJobsAsync(request, cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonOutput.Format(response));
                return ExitCodes.Ok;
            }

            foreach (var job in response.Jobs)
            {
                Console.WriteLine($"{job.Id}  {job.State,-10}  {job.Progress * 100,3:0}%  {job.PatternName}  {job.CreatedAt.ToDateTimeOffset():u}");
            }

            if (response.NextPageToken.Length > 0)
            {
                Console.WriteLine($"(more: --page-token {response.NextPageToken})");
            }

            return ExitCodes.Ok;
        });

        jobs.Subcommands.Add(list);
        var getJson = new Option<bool>("--json") { Description = "Print the job as JSON (proto3 JSON mapping) for scripts" };
        jobs.Subcommands.Add(WithJobId("get", "Show one job", async (client, id, ct, parse) =>
        {
            var job = await client.Jobs.GetJobAsync(new GetJobRequest { JobId = id }, cancellationToken: ct);
            if (parse.GetValue(getJson))
            {
                Console.WriteLine(JsonOutput.Format(job));
            }
            else
            {
                JobPrinter.Print(job, Console.Out);
            }

            return ExitCodes.Ok;
        }, getJson));
        jobs.Subcommands.Add(WithJobId("watch", "Follow a job's progress until it ends", async (client, id, ct) =>
        {
            var job = await JobProgressView.FollowAsync(client, id, ct);
            JobPrinter.Print(job, Console.Out);
            return job.State == JobState.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;
        }));
        jobs.Subcommands.Add(WithJobId("cancel", "Cancel a job (stops its running ffmpeg)", async (client, id, ct) =>
        {
            JobPrinter.Print(await client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = id }, cancellationToken: ct), Console.Out);
            return ExitCodes.Ok;
        }));
        jobs.Subcommands.Add(WithJobId("retry", "Run a failed (e.g. dead-lettered) job again from where it failed", async (client, id, ct) =>
        {
            JobPrinter.Print(await client.Jobs.RetryJobAsync(new RetryJobRequest { JobId = id }, cancellationToken: ct), Console.Out);
            return ExitCodes.Ok;
        }));
        return jobs;
    }

    private static Command WithJobId(string name, string description, Func<FarmClient, string, CancellationToken, Task<int>> action) =>
        WithJobId(name, description, (client, id, ct, _) => action(client, id, ct));

    private static Command WithJobId(string name, string description, Func<FarmClient, string, CancellationToken, ParseResult, Task<int>> action, params Option[] extra)
    {
        var id = new Argument<string>("job-id") { Description = "Job id" };
        var server = CommonOptions.Server();
        var command = new Command(name, description) { id, server };
        foreach (var option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            return await action(client, parse.GetValue(id)!, cancellationToken, parse);
        });
        return command;
    }

    private static JobState ParseState(string? text) => text?.ToLowerInvariant() switch
    {
        null or "" => JobState.Unspecified,
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        _ => throw new UsageException($"--state must be queued, running, succeeded, failed or cancelled, not '{text}'."),
    };
}
