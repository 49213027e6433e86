using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

/// <summary>
/// `media jobs plan ID OUTPUT > plan.json` and `media jobs revise ID OUTPUT plan.json --wait`: the studio's editing loop
/// from a shell (edit the JSON in between: delete words, correct them, move the crop, change the title).
/// </summary>
internal static class EditPlanCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Plan()
    {
        var id = new Argument<string>("job-id") { Description = "Job id" };
        var output = new Argument<string>("output") { Description = "Output name without extension (\"vertical\", \"vertical-clip2\")" };
        var revision = new Option<int>("--revision") { Description = "Which revision (default: the newest)", DefaultValueFactory = _ => 0 };
        var server = CommonOptions.Server();
        var command = new Command("plan", "Print an output's edit plan as JSON (edit it and send it back with `jobs revise`)") { id, output, revision, server };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var (number, json) = await client.GetEditPlanAsync(parse.GetValue(id)!, parse.GetValue(output)!, parse.GetValue(revision), cancellationToken);
            Console.Out.WriteLine(JsonNode.Parse(json)!.ToJsonString(Indented));
            Console.Error.WriteLine($"revision {number}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Revise()
    {
        var id = new Argument<string>("job-id") { Description = "Job id" };
        var output = new Argument<string>("output") { Description = "Output name without extension" };
        var file = new Argument<FileInfo>("plan") { Description = "The edited plan (from `jobs plan`)" };
        var baseRevision = new Option<int?>("--base") { Description = "The revision the edit was made from (default: the plan's own \"revision\")" };
        var wait = new Option<bool>("--wait") { Description = "Follow the revision with live progress and download its outputs" };
        var outputs = new Option<string>("--out", "-o") { Description = "Folder for downloaded outputs (with --wait)", DefaultValueFactory = _ => "out" };
        var server = CommonOptions.Server();
        var json = JsonOutput.Option("the job (with --wait: once the revision is rendered)");
        var command = new Command("revise", "Render a new revision of an output from an edited plan") { id, output, file, baseRevision, wait, outputs, server, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"The file '{path.FullName}' does not exist.");
            }

            var text = await File.ReadAllTextAsync(path.FullName, cancellationToken);
            int? planRevision;
            try
            {
                planRevision = JsonNode.Parse(text)?["revision"]?.GetValue<int>();
            }
            catch (JsonException ex)
            {
                throw new UsageException($"The plan is not valid JSON: {ex.Message}");
            }

            var from = parse.GetValue(baseRevision) ?? planRevision ?? throw new UsageException("The plan has no \"revision\": pass --base N.");
            using var client = new FarmClient(parse.GetValue(server)!);
            var asJson = parse.GetValue(json);
            var job = await client.ReviseOutputAsync(parse.GetValue(id)!, parse.GetValue(output)!, from, text, cancellationToken);
            if (parse.GetValue(wait))
            {
                job = await JobProgressView.FollowAsync(client, job.Id, cancellationToken, asJson ? Console.Error : null);
                if (job.State == JobState.Succeeded)
                {
                    var newest = job.Outputs.Where(o => o.Name.StartsWith(parse.GetValue(output)! + ".", StringComparison.Ordinal)).Select(o => o.Revision).DefaultIfEmpty(0).Max();
                    var files = await client.DownloadOutputsAsync(new Job { Id = job.Id, Outputs = { job.Outputs.Where(o => o.Revision == newest && o.Name.StartsWith(parse.GetValue(output)! + ".", StringComparison.Ordinal)) } }, parse.GetValue(outputs)!, cancellationToken);
                    foreach (var downloaded in files)
                    {
                        Console.Error.WriteLine(downloaded);
                    }
                }
            }

            JsonOutput.Write(asJson, job, writer => JobPrinter.Print(job, writer));
            return job.State is JobState.Failed or JobState.Cancelled ? ExitCodes.JobFailed : ExitCodes.Ok;
        });
        return command;
    }
}
