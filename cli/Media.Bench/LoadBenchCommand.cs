using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using Media.Pipelines.Tools;
using Media.Cli.Client;
using Media.Client;
using Media.Cli.Commands;
using Media.Cli.Hosting;
using Media.Platform.Bus.Kafka;
using Media.KafkaMock;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static System.FormattableString;

namespace Media.Bench;

/// <summary>
/// `media bench-load`: many short jobs from many concurrent clients across several tenants against a running farm
/// (embedded, and on Kafka through librdkafka's mock cluster): every job must end, none lost or duplicated.
/// Reports submit throughput, SubmitJob latency, jobs per minute, and the same work done by bare ffprobe + ffmpeg
/// on the same number of lanes as the baseline.
/// </summary>
internal static class LoadBenchCommand
{
    private static readonly ToolRunner Tools = new(NullLogger<ToolRunner>.Instance, TimeProvider.System);

    private const string BootstrapKey = "bench-load-bootstrap-admin-key-0123456789";

    public static Command Create()
    {
        var jobs = new Option<int>("--jobs") { Description = "Jobs to submit", DefaultValueFactory = _ => 1000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients", DefaultValueFactory = _ => 50 };
        var tenants = new Option<int>("--tenants") { Description = "Tenants the clients are spread over", DefaultValueFactory = _ => 5 };
        var transport = new Option<string>("--transport") { Description = "inprocess, kafka or both", DefaultValueFactory = _ => "both" };
        var workers = new Option<int>("--workers") { Description = "Worker slots of the farm", DefaultValueFactory = _ => 2 };
        var command = new Command("bench-load", "Load test: N short jobs from M concurrent clients across T tenants; none lost or duplicated") { jobs, clients, tenants, transport, workers };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (n, m, t, slots) = (Math.Max(1, parse.GetValue(jobs)), Math.Max(1, parse.GetValue(clients)), Math.Clamp(parse.GetValue(tenants), 1, 50), Math.Max(1, parse.GetValue(workers)));
            var which = parse.GetValue(transport)!.ToLowerInvariant();
            if (which is not ("inprocess" or "kafka" or "both"))
            {
                throw new UsageException($"--transport must be inprocess, kafka or both, not '{which}'.");
            }

            var scratch = Path.Combine(Path.GetTempPath(), "media-bench-load-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(scratch);
            try
            {
                // Already platform-compliant (1080p30 H.264/AAC): bulk-normalize stream-copies it, so the bench
                // measures the farm (API, store, bus, dispatch), not the encoder.
                var clip = Path.Combine(scratch, "clip.mp4");
                await RunToolAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-shortest", clip], cancellationToken);
                Console.WriteLine(Invariant($"# {n} jobs (bulk-normalize, 1 s 1080p clip, stream copy) from {m} concurrent clients across {t} tenants; {slots} worker slots; {Environment.ProcessorCount} cores"));

                var baseline = await BaselineAsync(clip, Math.Min(n, 200), slots, scratch, cancellationToken);
                Console.WriteLine(Invariant($"baseline   bare ffprobe + ffmpeg -c copy + ffprobe (no cover), {slots} lanes: {baseline:0} jobs/min"));
                if (which is "inprocess" or "both")
                {
                    var result = await RunFarmAsync("inprocess", new Dictionary<string, string?>(), clip, n, m, t, slots, cancellationToken);
                    Report("inprocess", result, baseline);
                }

                if (which is "kafka" or "both")
                {
                    using var mock = new KafkaMockCluster(3);
                    foreach (var topic in KafkaTopicsInitializer.AllTopics)
                    {
                        mock.CreateTopic(topic, 6);
                    }

                    var result = await RunFarmAsync("kafka", new Dictionary<string, string?> { ["Media:Bus"] = "kafka", ["Media:Kafka:BootstrapServers"] = mock.BootstrapServers, ["Media:Kafka:CreateTopics"] = "false" }, clip, n, m, t, slots, cancellationToken);
                    Report("kafka", result, baseline);
                }
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(string name, LoadResult r, double baseline)
    {
        Console.WriteLine(Invariant($"{name,-10} submitted {r.Submitted} in {r.SubmitSeconds:0.0} s ({r.Submitted / r.SubmitSeconds:0} jobs/s); SubmitJob p50 {Percentiles.Of(r.SubmitLatencies, 50):0.0} ms p99 {Percentiles.Of(r.SubmitLatencies, 99):0.0} ms"));
        Console.WriteLine(Invariant($"{name,-10} all ended in {r.TotalSeconds:0.0} s: {r.Succeeded} succeeded, {r.Failed} failed, {r.Lost} lost, {r.Duplicates} duplicated; {r.Submitted / r.TotalSeconds * 60:0} jobs/min ({r.Submitted / r.TotalSeconds * 60 / baseline:0.00}x bare); tenants finished between {r.TenantFinish.Min():0.0} and {r.TenantFinish.Max():0.0} s"));
    }

    private static async Task<double> BaselineAsync(string clip, int count, int lanes, string scratch, CancellationToken cancellationToken)
    {
        var next = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(async lane =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                // The least a job needs, without the farm: probe, stream copy, probe of the result. The farm also picks
                // and composes a cover per job, so the ratio is an upper bound on its own overhead.
                var output = Path.Combine(scratch, $"bare-{lane}.mp4");
                await RunToolAsync("ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", clip], cancellationToken);
                await RunToolAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", clip, "-c", "copy", "-movflags", "+faststart", output], cancellationToken);
                await RunToolAsync("ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", output], cancellationToken);
            }
        }));
        return count / watch.Elapsed.TotalMinutes;
    }

    private static async Task<LoadResult> RunFarmAsync(string name, Dictionary<string, string?> overrides, string clip, int jobs, int clients, int tenants, int slots, CancellationToken cancellationToken)
    {
        overrides["Media:Auth:BootstrapAdminKey"] = BootstrapKey;
        var data = Path.Combine(Path.GetTempPath(), $"media-bench-load-{name}-" + Guid.NewGuid().ToString("N"));
        var app = FarmHost.Build(new FarmHost.Settings(data, "127.0.0.1", 0, slots, LogLevel.Warning) { Overrides = overrides });
        await app.StartAsync(cancellationToken);
        var owned = new List<FarmClient>();
        try
        {
            var address = FarmHost.Address(app);
            using var admin = new FarmClient(address, BootstrapKey);
            var run = Guid.NewGuid().ToString("N")[..8];
            var tenantClients = new List<(string Tenant, FarmClient Client, string Upload)>();
            for (var i = 0; i < tenants; i++)
            {
                var tenant = $"load-{i + 1}";
                var key = (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = tenant, Label = "bench-load" }, cancellationToken: cancellationToken)).Secret;
                var client = new FarmClient(address, key);
                owned.Add(client);
                tenantClients.Add((tenant, client, (await client.UploadFileAsync(clip, null, cancellationToken)).UploadId));
            }

            var submitted = new ConcurrentDictionary<string, int>();
            var latencies = new ConcurrentBag<double>();
            var next = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                // Each client has its own connection, as 50 separate agency scripts would.
                var (tenant, tenantClient, upload) = tenantClients[c % tenants];
                using var client = new FarmClient(address, tenantClient.ApiKey);
                int n;
                while ((n = Interlocked.Increment(ref next)) <= jobs)
                {
                    var request = new SubmitJobRequest
                    {
                        Source = new Source { UploadId = upload },
                        PatternName = "bulk-normalize",
                        Priority = Priority.Bulk,
                        IdempotencyKey = $"{run}-{n}",
                        Labels = { ["run"] = run },
                    };
                    var sent = Stopwatch.GetTimestamp();
                    var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    submitted[job.Id] = n;
                }
            }));
            var submitSeconds = watch.Elapsed.TotalSeconds;

            // Wait until every tenant's jobs of this run have ended, from the API's own listing.
            var tenantFinish = new double[tenants];
            var ended = new Dictionary<string, Job>();
            var listed = new HashSet<string>();
            while (true)
            {
                for (var i = 0; i < tenants; i++)
                {
                    var all = await ListAllAsync(tenantClients[i].Client, run, cancellationToken);
                    listed.UnionWith(all.Select(j => j.Id));
                    foreach (var job in all.Where(j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled))
                    {
                        ended[job.Id] = job;
                    }

                    if (tenantFinish[i] == 0 && all.All(j => ended.ContainsKey(j.Id)))
                    {
                        tenantFinish[i] = watch.Elapsed.TotalSeconds;
                    }
                }

                if (tenantFinish.All(f => f > 0))
                {
                    break;
                }

                await Task.Delay(1000, cancellationToken);
            }

            var total = watch.Elapsed.TotalSeconds;
            var withOutputs = ended.Values.Where(j => j.State == JobState.Succeeded).ToList();
            return new LoadResult(
                submitted.Count,
                submitSeconds,
                latencies.ToList(),
                total,
                withOutputs.Count,
                ended.Values.Count(j => j.State != JobState.Succeeded),
                submitted.Keys.Count(id => !ended.ContainsKey(id)),
                listed.Count - submitted.Count + withOutputs.Count(j => j.Outputs.Count(o => o.Kind == OutputKind.Video) != 1),
                tenantFinish);
        }
        finally
        {
            owned.ForEach(c => c.Dispose());
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<List<Job>> ListAllAsync(FarmClient client, string run, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        var token = string.Empty;
        do
        {
            var page = await client.Jobs.ListJobsAsync(new ListJobsRequest { Labels = { ["run"] = run }, PageSize = 500, PageToken = token }, cancellationToken: cancellationToken);
            jobs.AddRange(page.Jobs);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return jobs;
    }

    // The farm's own process runner: argument lists, stderr tail on failure.
    private static Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Tools.RunAsync(tool, arguments, cancellationToken);

    private sealed record LoadResult(int Submitted, double SubmitSeconds, List<double> SubmitLatencies, double TotalSeconds, int Succeeded, int Failed, int Lost, int Duplicates, double[] TenantFinish);
}
