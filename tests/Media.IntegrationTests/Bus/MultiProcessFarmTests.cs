using Amazon.S3;
using Amazon.S3.Model;
using Media.Client;
using Media.IntegrationTests.Storage;
using Media.IntegrationTests.Store;
using Media.Protos.V1;

namespace Media.IntegrationTests.Bus;

/// <summary>
/// The distributed farm as separate processes: one `media jobapi`, two `media worker`s, on Kafka (mock cluster
/// over TCP), PostgreSQL and S3 (s3rver). A worker is killed with SIGKILL in the middle of a stage and the job API
/// is killed and restarted mid-flight; every job must still succeed exactly once, with one set of outputs.
/// Every step waits for an event of the farm, never for a wall-clock moment: the victim is the only worker until
/// it is killed, so it takes the first stages whatever the partition assignment or the machine's load, and it is
/// killed while it reports progress of a render long enough to still be running when the signal lands.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class MultiProcessFarmTests(KafkaMockFixture kafka, PostgresServer postgres, S3Server s3) : IDisposable
{
    private const int Jobs = 30;
    private readonly string _root = Directory.CreateTempSubdirectory("media-multi-").FullName;
    private readonly string _prefix = $"multi-{Guid.NewGuid():N}/";

    [Fact]
    public async Task Farm_WorkerKilledAndApiRestarted_AllJobsSucceedOnceWithoutDuplicates()
    {
        var environment = new Dictionary<string, string>
        {
            ["Media__Bus"] = "kafka",
            ["Media__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Media__Kafka__CreateTopics"] = "false",
            ["Media__Kafka__SessionTimeoutMs"] = "6000",
            ["Media__Store"] = "postgres",
            ["Media__Postgres__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Media__JobApi__LeaseSeconds"] = "6",
            ["Media__JobApi__SweepIntervalMilliseconds"] = "500",
            ["Media__Worker__HeartbeatSeconds"] = "1",

            // What the killed worker's run may have left in its run folder is swept soon after each job ends.
            ["Media__JobApi__RunLeftoverSeconds"] = "1",
            ["Media__Retention__SweepMinutes"] = "0.02",
        };
        foreach (var (key, value) in s3.FarmConfiguration(_prefix))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        var clip = Path.Combine(_root, "clip.mp4");
        await TestMedia.MakeClipAsync(clip, 2);
        var longClip = Path.Combine(_root, "long.mp4");
        await TestMedia.MakeClipAsync(longClip, 30);

        // Generous bounds that only stop a hung test; nothing asserts how fast the farm is.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var api = await ServeProcess.StartAsync(Path.Combine(_root, "api"), environment, "jobapi");
        var victim = await ServeProcess.StartAsync(Path.Combine(_root, "w1"), environment, "worker");
        ServeProcess? survivor = null;
        var ids = new List<string>();
        string victimWorker;
        string longJob;
        try
        {
            using (var client = new FarmClient(api.Address))
            {
                // The long job first and at high priority: the victim, alone in its group, takes its stages first.
                var longUpload = await client.UploadFileAsync(longClip, null, deadline.Token);
                longJob = (await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = longUpload.UploadId }, PatternName = "vertical-blur-fill", Priority = Priority.High }, cancellationToken: deadline.Token)).Id;
                ids.Add(longJob);
                var upload = await client.UploadFileAsync(clip, null, deadline.Token);
                for (var i = 1; i < Jobs; i++)
                {
                    var job = await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill", Priority = Priority.Bulk }, cancellationToken: deadline.Token);
                    ids.Add(job.Id);
                }

                // Kill the victim as soon as it reports progress of the long render (it has seconds of work left).
                victimWorker = await RunningRenderWorkerAsync(client, longJob, progressed: true, deadline.Token);
                Assert.EndsWith($"-{victim.ProcessId}", victimWorker, StringComparison.Ordinal);
                await victim.KillAsync();

                // The survivor joins now and must take the long render over (the lease expires, or Kafka hands the
                // unacknowledged message on). The job API dies while it runs that takeover.
                survivor = await ServeProcess.StartAsync(Path.Combine(_root, "w2"), environment, "worker");
                var taker = await RunningRenderWorkerAsync(client, longJob, progressed: false, deadline.Token, except: victimWorker);
                Assert.EndsWith($"-{survivor.ProcessId}", taker, StringComparison.Ordinal);
            }

            await api.KillAsync();
            await api.DisposeAsync();
            api = await ServeProcess.StartAsync(Path.Combine(_root, "api"), environment, "jobapi");
            using var again = new FarmClient(api.Address);
            var jobs = new List<Job>();
            foreach (var id in ids)
            {
                jobs.Add(await again.WaitAsync(id, null, deadline.Token));
            }

            Assert.All(jobs, j => Assert.True(j.State == JobState.Succeeded, $"{j.Id}: {j.State} {j.Error}\n{api.Log}"));
            var render = jobs.Single(j => j.Id == longJob).Stages.Single(s => s.Kind == StageKind.Render);
            Assert.NotEqual(victimWorker, render.WorkerId);
            Assert.DoesNotContain(jobs.SelectMany(j => j.Stages), s => s.WorkerId == victimWorker && s.State != StageState.Succeeded);
            using var s3Client = new AmazonS3Client(S3Server.AccessKey, S3Server.SecretKey, new AmazonS3Config { ServiceURL = s3.ServiceUrl, ForcePathStyle = true });
            foreach (var job in jobs)
            {
                Assert.Equal(["thumbnail-vertical-cover-1.jpg", "vertical.mp4", "vertical.plan.json"], job.Outputs.Select(o => o.Name).Order());

                // Storage holds exactly the recorded outputs once the leftover sweep has passed (a wait on storage, not a clock).
                var recorded = job.Outputs.Select(o => _prefix + o.Key).Order(StringComparer.Ordinal).ToList();
                List<string> stored;
                while (true)
                {
                    var listed = await s3Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = $"{_prefix}tenants/default/jobs/{job.Id}/outputs/" });
                    stored = [.. (listed.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
                    if (stored.SequenceEqual(recorded) || deadline.IsCancellationRequested)
                    {
                        break;
                    }

                    await Task.Delay(500, CancellationToken.None);
                }

                Assert.Equal(recorded, stored);
            }
        }
        finally
        {
            await api.DisposeAsync();
            await victim.DisposeAsync();
            if (survivor is not null)
            {
                await survivor.DisposeAsync();
            }
        }
    }

    // Follows the job's events until its render runs on a worker (other than `except`), optionally until that worker
    // has also reported progress; returns the worker's id.
    private static async Task<string> RunningRenderWorkerAsync(FarmClient client, string jobId, bool progressed, CancellationToken cancellationToken, string? except = null)
    {
        string? worker = null;
        string? renderStage = null;
        await foreach (var jobEvent in client.WatchAsync(jobId, 0, cancellationToken))
        {
            if (jobEvent.StageChanged is { Kind: StageKind.Render } changed)
            {
                renderStage = changed.StageId;
                worker = changed.State == StageState.Running && changed.WorkerId != except ? changed.WorkerId : null;
                if (worker is not null && !progressed)
                {
                    return worker;
                }
            }
            else if (worker is not null && jobEvent.Progress is { } progress && progress.StageId == renderStage && progress.StageProgress > 0)
            {
                return worker;
            }
        }

        throw new InvalidOperationException($"Job {jobId} ended before its render ran on a worker other than '{except}'.");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
