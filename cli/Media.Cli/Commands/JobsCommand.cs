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
        var json = JsonOutput.Option("the page of jobs");
        var list = new Command("list", "List jobs, newest first") { server, state, labels, pageSize, pageToken, json };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var request = new ListJobsRequest { State = ParseState(parse.GetValue(state)), PageSize = parse.GetValue(pageSize), PageToken = parse.GetValue(pageToken)! };
            request.Labels.Add(CommonOptions.ParseKeyValues(parse.GetValue(labels), "--label"));
            var response = await client.Jobs.ListJobsAsync(request, cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(json), response, output =>
            {
                foreach (var job in response.Jobs)
                {
                    output.WriteLine($"{job.Id}  {job.State,-10}  {job.Progress * 100,3:0}%  {job.PatternName}  {job.CreatedAt.ToDateTimeOffset():u}");
                }

                if (response.NextPageToken.Length > 0)
                {
                    output.WriteLine($"(more: --page-token {response.NextPageToken})");
                }
            });
            return ExitCodes.Ok;
        });

        jobs.Subcommands.Add(list);
        jobs.Subcommands.Add(WithJobId("get", "Show one job", (client, id, ct, _) =>
            client.Jobs.GetJobAsync(new GetJobRequest { JobId = id }, cancellationToken: ct).ResponseAsync));
        jobs.Subcommands.Add(WithJobId("watch", "Follow a job's progress until it ends (exit code 1 unless it succeeded)", (client, id, ct, json) =>
            JobProgressView.FollowAsync(client, id, ct, json ? Console.Error : null)));
        jobs.Subcommands.Add(WithJobId("cancel", "Cancel a job (stops its running ffmpeg)", (client, id, ct, _) =>
            client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = id }, cancellationToken: ct).ResponseAsync));
        jobs.Subcommands.Add(WithJobId("retry", "Run a failed (e.g. dead-lettered) job again from where it failed", (client, id, ct, _) =>
            client.Jobs.RetryJobAsync(new RetryJobRequest { JobId = id }, cancellationToken: ct).ResponseAsync));
        jobs.Subcommands.Add(EditPlanCommands.Plan());
        jobs.Subcommands.Add(EditPlanCommands.Revise());
        return jobs;
    }

    // Every job command prints the job it ends with: as JSON under --json, else for people; `watch` fails unless it succeeded.
    private static Command WithJobId(string name, string description, Func<FarmClient, string, CancellationToken, bool, Task<Job>> action)
    {
        var id = new Argument<string>("job-id") { Description = "Job id" };
        var server = CommonOptions.Server();
        var json = JsonOutput.Option("the job");
        var command = new Command(name, description) { id, server, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var asJson = parse.GetValue(json);
            var job = await action(client, parse.GetValue(id)!, cancellationToken, asJson);
            JsonOutput.Write(asJson, job, output => JobPrinter.Print(job, output));
            return name == "watch" && job.State != JobState.Succeeded ? ExitCodes.JobFailed : ExitCodes.Ok;
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
