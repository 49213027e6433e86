using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using Grpc.Core;
using Media.Cli.Commands;
using Media.Client;
using Media.KafkaMock;
using Media.Pipelines.Tools;
using Media.Platform.Bus.Kafka;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using static System.FormattableString;

namespace Media.Bench.Chaos;

/// <summary>
/// `media bench-chaos`: the distributed farm as real processes on this machine (job API replicas and workers on the
/// Kafka mock cluster hosted in this process, which outlives them, s3rver and a throwaway PostgreSQL), many short jobs
/// from concurrent clients across tenants, while a chaos loop SIGKILLs a random farm process every few seconds and
/// takes storage, the bus and the database away. Then every promise is checked and counted; exit 1 when one fails.
/// </summary>
internal static class ChaosBenchCommand
{
    private const string BootstrapKey = "bench-chaos-bootstrap-admin-key-0123456789";
    private static readonly ToolRunner Tools = new(NullLogger<ToolRunner>.Instance, TimeProvider.System);

    public static Command Create()
    {
        var jobs = new Option<int>("--jobs") { Description = "Jobs to submit (a tenth first without faults, for the calm latency)", DefaultValueFactory = _ => 300 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients", DefaultValueFactory = _ => 20 };
        var tenants = new Option<int>("--tenants") { Description = "Tenants the clients are spread over", DefaultValueFactory = _ => 3 };
        var kills = new Option<int>("--kills") { Description = "SIGKILLs of random farm processes", DefaultValueFactory = _ => 100 };
        var every = new Option<double>("--kill-every") { Description = "Seconds between kills", DefaultValueFactory = _ => 3 };
        var outage = new Option<double>("--outage-seconds") { Description = "How long each storage and bus outage lasts", DefaultValueFactory = _ => 5 };
        var apis = new Option<int>("--apis") { Description = "Job API replicas", DefaultValueFactory = _ => 2 };
        var workers = new Option<int>("--workers") { Description = "Worker processes (one slot each)", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the chaos (which process, how long it stays down)", DefaultValueFactory = _ => 1 };
        var command = new Command("bench-chaos", "Chaos soak: the distributed farm under random SIGKILLs and outages; every job must end once, with its outputs, events and webhooks")
        {
            jobs, clients, tenants, kills, every, outage, apis, workers, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ChaosSettings(
                Math.Max(2, parse.GetValue(jobs)), Math.Max(1, parse.GetValue(clients)), Math.Clamp(parse.GetValue(tenants), 1, 20), Math.Max(0, parse.GetValue(kills)),
                TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(every))), TimeSpan.FromSeconds(Math.Max(0.5, parse.GetValue(outage))),
                Math.Clamp(parse.GetValue(apis), 1, 4), Math.Clamp(parse.GetValue(workers), 1, 8), parse.GetValue(seed));
            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ChaosSettings settings, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "media-bench-chaos-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        var run = Guid.NewGuid().ToString("N")[..8];
        var processes = new List<FarmRoleProcess>();
        try
        {
            var clip = Path.Combine(scratch, "clip.mp4");
            await Tools.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-shortest", clip], cancellationToken);

            using var kafka = new KafkaMockCluster(3, outages: true);
            foreach (var topic in KafkaTopicsInitializer.AllTopics)
            {
                kafka.CreateTopic(topic, 6);
            }

            await using var postgres = new ThrowawayPostgres(Path.Combine(scratch, "pg"));
            var connection = await postgres.StartAsync(cancellationToken);
            await using var s3 = new LocalS3(Path.Combine(scratch, "s3"));
            await s3.StartAsync();
            await using var hooks = new WebhookCounter();

            var environment = new Dictionary<string, string>
            {
                ["Media__Bus"] = "kafka",
                ["Media__Kafka__BootstrapServers"] = kafka.BootstrapServers,
                ["Media__Kafka__CreateTopics"] = "false",
                ["Media__Kafka__SessionTimeoutMs"] = "6000",
                ["Media__Store"] = "postgres",
                ["Media__Postgres__ConnectionString"] = connection,
                ["Media__Storage"] = "s3",
                ["Media__Storage__S3__Bucket"] = LocalS3.Bucket,
                ["Media__Storage__S3__ServiceUrl"] = s3.ServiceUrl,
                ["Media__Storage__S3__ForcePathStyle"] = "true",
                ["Media__Storage__S3__AccessKey"] = LocalS3.Key,
                ["Media__Storage__S3__SecretKey"] = LocalS3.Key,
                ["Media__Auth__BootstrapAdminKey"] = BootstrapKey,
                ["Media__JobApi__LeaseSeconds"] = "6",
                ["Media__JobApi__SweepIntervalMilliseconds"] = "500",
                ["Media__JobApi__MaxAttempts"] = "10",
                ["Media__JobApi__UnpublishedDispatchSeconds"] = "10",
                ["Media__Kafka__PublishTimeoutMs"] = "5000",
                ["Media__Worker__HeartbeatSeconds"] = "1",
                ["Media__Webhooks__RetryBaseDelayMilliseconds"] = "500",
                ["Media__Webhooks__TimeoutSeconds"] = "2",
                ["Media__Webhooks__ResumeAfterSeconds"] = "15",
                ["Media__Webhooks__ResumeSweepSeconds"] = "3",
                ["Media__Quotas__MaxRunningJobsPerTenant"] = "1000",

                // What killed runs left in their run folders is swept 30 s after each job ends (5 leases: a run still
                // going then has finished or been given up); the check waits for that sweep before listing the bucket.
                ["Media__JobApi__RunLeftoverSeconds"] = InvariantCheck.RunLeftoverSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Media__Retention__SweepMinutes"] = "0.05",
            };
            for (var i = 0; i < settings.Apis; i++)
            {
                processes.Add(new FarmRoleProcess($"api-{i + 1}", "jobapi", Path.Combine(scratch, $"api-{i + 1}"), LoopbackPorts.Free(), environment));
            }

            for (var i = 0; i < settings.Workers; i++)
            {
                processes.Add(new FarmRoleProcess($"worker-{i + 1}", "worker", Path.Combine(scratch, $"worker-{i + 1}"), LoopbackPorts.Free(), environment));
            }

            await Task.WhenAll(processes.Select(p => p.StartAsync(cancellationToken)));
            var apis = processes.Where(p => p.Role == "jobapi").ToList();
            Console.WriteLine(Invariant($"# bench-chaos: {settings.Jobs} jobs from {settings.Clients} clients across {settings.Tenants} tenants; {settings.Apis} job API replicas, {settings.Workers} workers (1 slot each), Kafka mock (3 brokers, in this process), s3rver, PostgreSQL; {settings.Kills} kills every {settings.KillEvery.TotalSeconds:0.#} s; {Environment.ProcessorCount} cores"));

            var farm = await ChaosClients.CreateAsync(apis.Select(a => a.Address).ToList(), BootstrapKey, settings.Tenants, clip, cancellationToken);
            try
            {
                var plan = Enumerable.Range(0, settings.Jobs).Select(i => new PlannedJob(i, i % settings.Tenants, i % 5 == 4 ? "reframe-vertical" : "bulk-normalize", $"{run}-{i}")).ToList();
                var results = new ConcurrentDictionary<int, JobOutcome>();
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromMinutes(20) + (settings.KillEvery * settings.Kills));

                // Calm: a tenth of the jobs with no fault, for the latency the chaos is compared with.
                var calm = plan.Take(Math.Max(1, settings.Jobs / 10)).ToList();
                await RunJobsAsync(farm, calm, settings.Clients, hooks.Url, run, results, deadline.Token);

                // Chaos: every kill and outage is spent even if the jobs end first (then they hit an idle farm, which must
                // survive them too), and every job must end even if the faults end first.
                var chaos = new ChaosLoop(processes, postgres, s3, kafka, settings, farm, plan, hooks.Url, run);
                var loop = chaos.RunAsync(deadline.Token);
                var watch = Stopwatch.StartNew();
                using var progress = new Timer(_ => Console.Error.WriteLine(Invariant(
                    $"  {watch.Elapsed.TotalSeconds:0} s: {results.Count}/{plan.Count} jobs ended; kills {chaos.Kills.Values.Sum()}; running {string.Join(" ", processes.Where(p => p.Running).Select(p => p.Name))}")), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
                await RunJobsAsync(farm, plan.Skip(calm.Count).ToList(), settings.Clients, hooks.Url, run, results, deadline.Token);
                await loop;
                var chaosSeconds = watch.Elapsed.TotalSeconds;
                await chaos.HealAsync(cancellationToken);

                var check = await InvariantCheck.RunAsync(farm, s3, hooks, plan, results, calm.Count, chaos, deadline.Token);
                Console.WriteLine(Invariant($"chaos phase {chaosSeconds:0} s; kills {chaos.Kills.Values.Sum()} ({string.Join(", ", chaos.Kills.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}); outages: storage {chaos.StorageOutages}, bus {chaos.BusOutages}, database restarts {chaos.DatabaseRestarts}; retry storm {chaos.StormSent} resubmissions"));
                check.Print();
                return check.Passed ? ExitCodes.Ok : ExitCodes.JobFailed;
            }
            finally
            {
                farm.Dispose();
            }
        }
        catch (Exception) when (processes.Count > 0)
        {
            foreach (var process in processes)
            {
                Console.Error.WriteLine($"--- {process.Name} (started {process.Starts}x) log tail:\n{process.LogTail}");
            }

            throw;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // A server still releasing its files; the temp folder is the system's to clean.
            }
        }
    }

    /// <summary>Runs jobs through the clients: submit (retried on any replica with the same key), then watch to the end.</summary>
    internal static async Task RunJobsAsync(ChaosClients farm, IReadOnlyList<PlannedJob> jobs, int clients, string webhook, string run, ConcurrentDictionary<int, JobOutcome> results, CancellationToken cancellationToken)
    {
        var queue = new ConcurrentQueue<PlannedJob>(jobs);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            while (queue.TryDequeue(out var job))
            {
                results[job.Index] = await RunJobAsync(farm, job, c, webhook, run, cancellationToken);
            }
        }));
    }

    private static async Task<JobOutcome> RunJobAsync(ChaosClients farm, PlannedJob planned, int client, string webhook, string run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var replica = client;
        var job = await farm.CallAsync(planned.Tenant, replica, (jobs, deadline) => jobs.SubmitJobAsync(Request(planned, farm.UploadId(planned.Tenant), webhook, run), deadline: deadline).ResponseAsync, cancellationToken);
        farm.Submitted[planned.Index] = job.Id;
        var after = 0L;
        var outOfOrder = 0;
        var reconnects = 0;
        var terminal = JobState.Unspecified;
        while (terminal == JobState.Unspecified)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var call = farm.Client(planned.Tenant, replica).Jobs.WatchJob(new WatchJobRequest { JobId = job.Id, AfterSequence = after }, cancellationToken: cancellationToken);
                await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (jobEvent.Sequence <= after)
                    {
                        outOfOrder++;
                    }

                    after = Math.Max(after, jobEvent.Sequence);
                    if (jobEvent.StateChanged is { } changed && changed.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled)
                    {
                        terminal = changed.State;
                    }
                }

                if (terminal == JobState.Unspecified)
                {
                    // The stream ended early (a replica shutting down): resume after the last event seen.
                    reconnects++;
                }
            }
            catch (RpcException ex) when (ChaosClients.Transient(ex.StatusCode) && !cancellationToken.IsCancellationRequested)
            {
                reconnects++;
                replica++;
                await Task.Delay(300, cancellationToken);
            }
        }

        return new JobOutcome(job.Id, terminal, Stopwatch.GetElapsedTime(started).TotalSeconds, outOfOrder, reconnects);
    }

    internal static SubmitJobRequest Request(PlannedJob planned, string uploadId, string webhook, string run) => new()
    {
        Source = new Source { UploadId = uploadId },
        PatternName = planned.Pattern,
        IdempotencyKey = planned.Key,
        WebhookUrl = webhook,
        Labels = { ["run"] = run },
    };
}

internal sealed record ChaosSettings(int Jobs, int Clients, int Tenants, int Kills, TimeSpan KillEvery, TimeSpan Outage, int Apis, int Workers, int Seed);

internal sealed record PlannedJob(int Index, int Tenant, string Pattern, string Key);

internal sealed record JobOutcome(string JobId, JobState State, double Seconds, int OutOfOrder, int Reconnects);
