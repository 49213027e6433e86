using Amazon.S3;
using Amazon.S3.Model;
using Media.Cli.Client;
using Media.Client;
using Media.IntegrationTests.Storage;
using Media.IntegrationTests.Store;
using Media.Protos.V1;

namespace Media.IntegrationTests.Bus;

/// <summary>
/// The distributed farm as separate processes: one `media jobapi`, two `media worker`s, on Kafka (mock cluster
/// over TCP), PostgreSQL and S3 (s3rver). A worker is killed with SIGKILL mid-render and the job API is killed
/// and restarted mid-flight; every job must still succeed exactly once, with one set of outputs.
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
        };
        foreach (var (key, value) in s3.FarmConfiguration(_prefix))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        var clip = Path.Combine(_root, "clip.mp4");
        await TestMedia.MakeClipAsync(clip, 2);

        var api = await ServeProcess.StartAsync(Path.Combine(_root, "api"), environment, "jobapi");
        var victim = await ServeProcess.StartAsync(Path.Combine(_root, "w1"), environment, "worker");
        await using var survivor = await ServeProcess.StartAsync(Path.Combine(_root, "w2"), environment, "worker");
        var ids = new List<string>();
        try
        {
            using (var client = new FarmClient(api.Address))
            {
                var upload = await client.UploadFileAsync(clip, null, CancellationToken.None);
                for (var i = 0; i < Jobs; i++)
                {
                    var job = await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill", Priority = Priority.Bulk });
                    ids.Add(job.Id);
                }

                // Kill the victim while it renders.
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                while (!await RendersOnAsync(client, ids, victim.ProcessId))
                {
                    await Task.Delay(100, wait.Token);
                }

                await victim.KillAsync();

                // Then kill the job API mid-flight, once some jobs are done.
                while (await CountSucceededAsync(client, ids) < Jobs / 3)
                {
                    await Task.Delay(500, wait.Token);
                }
            }

            await api.KillAsync();
            await api.DisposeAsync();
            api = await ServeProcess.StartAsync(Path.Combine(_root, "api"), environment, "jobapi");
            using var again = new FarmClient(api.Address);
            using var finish = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var jobs = new List<Job>();
            foreach (var id in ids)
            {
                jobs.Add(await again.WaitAsync(id, null, finish.Token));
            }

            Assert.All(jobs, j => Assert.True(j.State == JobState.Succeeded, $"{j.Id}: {j.State} {j.Error}\n{api.Log}"));
            Assert.Contains(jobs, j => j.Stages.Any(s => s.Attempt > 1));
            using var s3Client = new AmazonS3Client(S3Server.AccessKey, S3Server.SecretKey, new AmazonS3Config { ServiceURL = s3.ServiceUrl, ForcePathStyle = true });
            foreach (var job in jobs)
            {
                Assert.Equal(["thumbnail-vertical-cover-1.jpg", "vertical.mp4"], job.Outputs.Select(o => o.Name).Order());
                var listed = await s3Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = $"{_prefix}tenants/default/jobs/{job.Id}/outputs/" });
                Assert.Equal(2, listed.S3Objects?.Count ?? 0);
            }
        }
        finally
        {
            await api.DisposeAsync();
            await victim.DisposeAsync();
        }
    }

    // One listing of the running jobs (with their stages) per look: a 2 s render is easy to miss when every job is
    // fetched one by one on a loaded machine.
    private static async Task<bool> RendersOnAsync(FarmClient client, IEnumerable<string> ids, int pid)
    {
        var running = await client.Jobs.ListJobsAsync(new ListJobsRequest { State = JobState.Running, PageSize = 500 });
        return running.Jobs.Where(j => ids.Contains(j.Id)).Any(job =>
            job.Stages.Any(s => s.Kind == StageKind.Render && s.State == StageState.Running && s.WorkerId.EndsWith($"-{pid}", StringComparison.Ordinal)));
    }

    private static async Task<int> CountSucceededAsync(FarmClient client, IEnumerable<string> ids)
    {
        var page = await client.Jobs.ListJobsAsync(new ListJobsRequest { State = JobState.Succeeded, PageSize = 500 });
        return page.Jobs.Count(j => ids.Contains(j.Id));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
