using Media.IntegrationTests.Storage;
using Media.IntegrationTests.Store;
using Media.Protos.V1;

namespace Media.IntegrationTests.Bus;

[CollectionDefinition(Name)]
public sealed class DistributedCollection : ICollectionFixture<KafkaMockFixture>, ICollectionFixture<PostgresServer>, ICollectionFixture<S3Server>
{
    public const string Name = "distributed";
}

/// <summary>
/// The farm with every distributed part at once: Kafka protocol (mock cluster over TCP), PostgreSQL, and the
/// S3 protocol (s3rver). Same code as the embedded farm, chosen by configuration.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class DistributedFarmTests(KafkaMockFixture kafka, PostgresServer postgres, S3Server s3)
{
    [Fact]
    public async Task Farm_OnKafkaPostgresAndS3_RunsJobsToSuccess()
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Media:Bus"] = "kafka",
            ["Media:Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Media:Kafka:CreateTopics"] = "false",
            ["Media:Kafka:SessionTimeoutMs"] = "6000",
            ["Media:Store"] = "postgres",
            ["Media:Postgres:ConnectionString"] = await postgres.CreateDatabaseAsync(),
        };
        foreach (var (key, value) in s3.FarmConfiguration($"dist-{Guid.NewGuid():N}/"))
        {
            overrides[key] = value;
        }

        var clip = Path.Combine(Path.GetTempPath(), "dist-" + Guid.NewGuid().ToString("N") + ".mp4");
        await TestMedia.MakeClipAsync(clip, 1);
        var farm = new InProcessFarm(overrides);
        await farm.InitializeAsync();
        try
        {
            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            var submitted = new List<Job>();
            for (var i = 0; i < 3; i++)
            {
                submitted.Add(await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest
                {
                    Source = new Source { UploadId = upload.UploadId },
                    PatternName = "vertical-blur-fill",
                    Priority = i == 2 ? Priority.High : Priority.Bulk,
                }));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            foreach (var job in submitted)
            {
                var done = await farm.Client.WaitAsync(job.Id, null, timeout.Token);
                Assert.True(done.State == JobState.Succeeded, $"{done.Id}: {done.State} {done.Error}");
                Assert.Equal(["thumbnail-vertical-cover-1.jpg", "vertical.mp4", "vertical.plan.json"], done.Outputs.Select(o => o.Name).Order());
                Assert.All(done.Stages, s => Assert.Equal(1, s.Attempt));
            }
        }
        finally
        {
            await farm.DisposeAsync();
            File.Delete(clip);
        }
    }
}
