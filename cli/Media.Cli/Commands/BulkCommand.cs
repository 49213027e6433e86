using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

/// <summary>
/// `media bulk FOLDER|MANIFEST.csv`: the agency workflow. Every video of a folder, or every row of a CSV manifest
/// (file, optional pattern, merge fields as columns, label:NAME columns), is uploaded and submitted with an
/// idempotency key derived from the file's content, pattern and fields, so running it again after an interruption
/// submits only what is missing. Then a live summary until every job has ended.
/// </summary>
internal static class BulkCommand
{
    private static readonly HashSet<string> VideoExtensions = new([".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts"], StringComparer.OrdinalIgnoreCase);

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A folder of videos, or a CSV manifest (header: file[,pattern][,FIELD…][,label:NAME…])" };
        var pattern = new Option<string>("--pattern") { Description = "Pattern for rows without one", DefaultValueFactory = _ => "reframe-vertical" };
        var server = CommonOptions.Server();
        var parameters = CommonOptions.KeyValues("--param", "Merge field for every job");
        var batch = new Option<string>("--batch") { Description = "Batch label (default: the folder or manifest name)", DefaultValueFactory = _ => string.Empty };
        var priority = new Option<string>("--priority") { Description = "high, normal or bulk", DefaultValueFactory = _ => "bulk" };
        var concurrency = new Option<int>("--concurrency") { Description = "Uploads at once", DefaultValueFactory = _ => 4 };
        var noWait = new Option<bool>("--no-wait") { Description = "Submit and exit without following the jobs" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (the jobs and the totals) instead of the table" };
        var command = new Command("bulk", "Submit a folder of videos or a CSV manifest; idempotent; live summary until all end") { source, pattern, server, parameters, batch, priority, concurrency, noWait, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var items = ReadItems(parse.GetValue(source)!, parse.GetValue(pattern)!, CommonOptions.ParseKeyValues(parse.GetValue(parameters), "--param"));
            var batchName = parse.GetValue(batch) is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(parse.GetValue(source)!));
            var asJson = parse.GetValue(json);
            using var client = new FarmClient(parse.GetValue(server)!);
            var submitted = await SubmitAllAsync(client, items, batchName, CommonOptions.ParsePriority(parse.GetValue(priority)), Math.Clamp(parse.GetValue(concurrency), 1, 32), asJson, cancellationToken);
            var jobs = parse.GetValue(noWait) ? submitted : await FollowAsync(client, submitted, batchName, asJson, cancellationToken);
            var totals = jobs.GroupBy(j => j.Job.State).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => g.Count());
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    batch = batchName,
                    totals,
                    jobs = jobs.Select(j => new { file = j.File, job = JsonDocument.Parse(JsonOutput.Format(j.Job)).RootElement }),
                }));
            }
            else
            {
                Console.WriteLine($"batch {batchName}: {string.Join(", ", totals.Select(t => $"{t.Value} {t.Key}"))}");
            }

            return jobs.All(j => j.Job.State is JobState.Succeeded or JobState.Queued or JobState.Running) ? ExitCodes.Ok : ExitCodes.JobFailed;
        });
        return command;
    }

    private sealed record Item(string File, string Pattern, Dictionary<string, string> Parameters, Dictionary<string, string> Labels);

    private static List<Item> ReadItems(string source, string pattern, Dictionary<string, string> common)
    {
        if (Directory.Exists(source))
        {
            var files = Directory.GetFiles(source).Where(f => VideoExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
            return files.Count > 0
                ? files.Select(f => new Item(f, pattern, new Dictionary<string, string>(common), [])).ToList()
                : throw new UsageException($"No videos ({string.Join(" ", VideoExtensions.Order())}) in '{source}'.");
        }

        if (!File.Exists(source))
        {
            throw new UsageException($"'{source}' is neither a folder nor a manifest file.");
        }

        var rows = Csv.Read(File.ReadAllText(source));
        if (rows.Count < 2 || !rows[0].Contains("file"))
        {
            throw new UsageException($"The manifest '{source}' needs a header row with a 'file' column and at least one row.");
        }

        var header = rows[0];
        var folder = Path.GetDirectoryName(Path.GetFullPath(source))!;
        var items = new List<Item>();
        for (var r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Count != header.Count)
            {
                throw new UsageException($"Manifest line {r + 1} has {row.Count} fields; the header has {header.Count}.");
            }

            var values = header.Zip(row).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            var file = Path.GetFullPath(values["file"], folder);
            if (!File.Exists(file))
            {
                throw new UsageException($"Manifest line {r + 1}: the file '{values["file"]}' does not exist.");
            }

            var parameters = new Dictionary<string, string>(common);
            var labels = new Dictionary<string, string>();
            foreach (var (column, value) in values.Where(v => v.Key is not ("file" or "pattern") && v.Value.Length > 0))
            {
                if (column.StartsWith("label:", StringComparison.Ordinal))
                {
                    labels[column["label:".Length..]] = value;
                }
                else
                {
                    parameters[column] = value;
                }
            }

            items.Add(new Item(file, values.TryGetValue("pattern", out var own) && own.Length > 0 ? own : pattern, parameters, labels));
        }

        return items;
    }

    private static async Task<List<(string File, Job Job)>> SubmitAllAsync(FarmClient client, List<Item> items, string batch, Priority priority, int concurrency, bool quiet, CancellationToken cancellationToken)
    {
        var results = new (string File, Job Job)[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var item = items[i];
            var upload = await client.UploadFileAsync(item.File, null, ct);
            var request = new SubmitJobRequest
            {
                Source = new Source { UploadId = upload.UploadId },
                PatternName = item.Pattern,
                Priority = priority,
                IdempotencyKey = KeyOf(upload.Sha256, item),
                Labels = { item.Labels },
                Parameters = { item.Parameters },
            };
            request.Labels["batch"] = batch;
            var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: ct);
            results[i] = (Path.GetFileName(item.File), job);
            if (!quiet)
            {
                Console.WriteLine($"submitted {results[i].File} -> {job.Id}");
            }
        });
        return [.. results];
    }

    // Same file content, pattern and fields: same job, so a second run after an interruption adds nothing.
    private static string KeyOf(string sha256, Item item)
    {
        var text = string.Join('\n', [sha256, item.Pattern, .. item.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")]);
        return "bulk-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..40];
    }

    // One listing of the batch per look (pages of 500), not a call per job: a thousand-job batch stays cheap to follow.
    private static async Task<List<(string File, Job Job)>> FollowAsync(FarmClient client, List<(string File, Job Job)> jobs, string batch, bool quiet, CancellationToken cancellationToken)
    {
        var current = jobs.ToList();
        var last = string.Empty;
        while (true)
        {
            var listed = new Dictionary<string, Job>(StringComparer.Ordinal);
            var token = string.Empty;
            do
            {
                var page = await client.Jobs.ListJobsAsync(new ListJobsRequest { Labels = { ["batch"] = batch }, PageSize = 500, PageToken = token }, cancellationToken: cancellationToken);
                foreach (var job in page.Jobs)
                {
                    listed[job.Id] = job;
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);

            current = current.Select(j => listed.TryGetValue(j.Job.Id, out var fresh) ? (j.File, fresh) : j).ToList();

            var line = string.Join("  ", new[] { JobState.Queued, JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Cancelled }
                .Select(s => $"{s.ToString().ToLowerInvariant()} {current.Count(j => j.Job.State == s)}"));
            if (!quiet && line != last)
            {
                var progress = current.Average(j => j.Job.Progress) * 100;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}  ({progress:0}% overall)"));
                last = line;
            }

            if (current.All(j => FarmClient.IsTerminal(j.Job.State)))
            {
                return current;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
