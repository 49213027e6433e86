using System.CommandLine;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

internal static class SubmitCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Source video to upload" };
        var pattern = new Option<string>("--pattern") { Description = "Pattern name", DefaultValueFactory = _ => "reframe-vertical" };
        var server = CommonOptions.Server();
        var wait = new Option<bool>("--wait") { Description = "Follow the job with live progress and download the outputs" };
        var output = new Option<string>("--out", "-o") { Description = "Folder for downloaded outputs (with --wait)", DefaultValueFactory = _ => "out" };
        var parameters = CommonOptions.KeyValues("--param", "Merge field");
        var labels = CommonOptions.KeyValues("--label", "Label, e.g. batch=2026-11-22");
        var priority = new Option<string>("--priority") { Description = "high, normal or bulk", DefaultValueFactory = _ => "normal" };
        var key = new Option<string>("--idempotency-key") { Description = "Resubmitting with the same key returns the same job", DefaultValueFactory = _ => string.Empty };
        var json = JsonOutput.Option("the submitted job (with --wait: the finished job)");
        var command = new Command("submit", "Upload a file to a running farm and submit a job") { file, pattern, server, wait, output, parameters, labels, priority, key, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(file)!;
            if (!source.Exists)
            {
                throw new UsageException($"The file '{source.FullName}' does not exist.");
            }

            using var client = new FarmClient(parse.GetValue(server)!);
            return await RunJobAsync(
                client,
                source.FullName,
                parse.GetValue(pattern)!,
                CommonOptions.ParseKeyValues(parse.GetValue(parameters), "--param"),
                CommonOptions.ParseKeyValues(parse.GetValue(labels), "--label"),
                CommonOptions.ParsePriority(parse.GetValue(priority)),
                parse.GetValue(key)!,
                parse.GetValue(wait),
                parse.GetValue(output)!,
                parse.GetValue(json),
                cancellationToken);
        });
        return command;
    }

    /// <summary>Upload, submit, optionally follow and download. Shared by `submit` and `process`.</summary>
    public static async Task<int> RunJobAsync(
        FarmClient client,
        string path,
        string pattern,
        Dictionary<string, string> parameters,
        Dictionary<string, string> labels,
        Priority priority,
        string idempotencyKey,
        bool wait,
        string outputDirectory,
        bool json,
        CancellationToken cancellationToken)
    {
        var human = JsonOutput.HumanOut(json);
        var upload = await UploadProgressView.UploadAsync(client, path, cancellationToken, json ? human : null);
        human.WriteLine($"uploaded {Path.GetFileName(path)}: {upload.UploadId} ({upload.SizeBytes} bytes, sha256 {upload.Sha256})");
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            PatternName = pattern,
            Priority = priority,
            IdempotencyKey = idempotencyKey,
        };
        request.Parameters.Add(parameters);
        request.Labels.Add(labels);
        var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: cancellationToken);
        human.WriteLine($"submitted job {job.Id}");
        if (!wait)
        {
            PrintJson(json, job);
            return ExitCodes.Ok;
        }

        job = await JobProgressView.FollowAsync(client, job.Id, cancellationToken, json ? human : null);
        JobPrinter.Print(job, human);
        if (job.State == JobState.Succeeded)
        {
            foreach (var file in await client.DownloadOutputsAsync(job, outputDirectory, cancellationToken))
            {
                human.WriteLine($"output: {Path.GetFullPath(file)}");
            }
        }

        PrintJson(json, job);
        return job.State == JobState.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;
    }

    private static void PrintJson(bool json, Job job)
    {
        if (json)
        {
            Console.WriteLine(JsonOutput.Format(job));
        }
    }
}
