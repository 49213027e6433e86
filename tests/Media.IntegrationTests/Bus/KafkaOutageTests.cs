using Grpc.Health.V1;
using Media.Platform.Bus.Kafka;
using Media.KafkaMock;
using Media.Protos.V1;

namespace Media.IntegrationTests.Bus;

/// <summary>
/// Every Kafka broker goes down for seconds while jobs are in flight and while a job is submitted: the
/// producers and consumers wait it out, the jobs complete, the API keeps answering, nothing crashes.
/// Its own mock cluster, so other tests never see the outage.
/// </summary>
public sealed class KafkaOutageTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(3, outages: true);

    public KafkaOutageTests()
    {
        foreach (var topic in KafkaTopicsInitializer.AllTopics)
        {
            _cluster.CreateTopic(topic, 3);
        }
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Farm_KafkaDownForSeconds_InFlightAndNewJobsComplete()
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Media:Bus"] = "kafka",
            ["Media:Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["Media:Kafka:CreateTopics"] = "false",
            ["Media:Kafka:SessionTimeoutMs"] = "6000",
            ["Media:JobApi:MaxAttempts"] = "5",
        };
        var clip = Path.Combine(Path.GetTempPath(), "kafka-outage-" + Guid.NewGuid().ToString("N") + ".mp4");
        await TestMedia.MakeClipAsync(clip, 3, audio: false);
        var farm = new InProcessFarm(overrides);
        await farm.InitializeAsync();
        try
        {
            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill" };
            var first = await farm.Client.Jobs.SubmitJobAsync(request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            using var running = new CancellationTokenSource();
            var firstDone = farm.Client.WaitAsync(first.Id, e =>
            {
                if (e.StageChanged is { Kind: StageKind.Render, State: StageState.Running })
                {
                    running.Cancel();
                }
            }, timeout.Token);
            await Task.WhenAny(firstDone, Task.Delay(Timeout.Infinite, running.Token));

            _cluster.SetAvailable(false);
            var downAt = TimeProvider.System.GetUtcNow();
            var second = farm.Client.Jobs.SubmitJobAsync(request, cancellationToken: timeout.Token).ResponseAsync;
            await Task.Delay(TimeSpan.FromSeconds(4));
            var health = await new Health.HealthClient(Grpc.Net.Client.GrpcChannel.ForAddress(farm.Client.Address)).CheckAsync(new HealthCheckRequest());
            var listed = await farm.Client.Jobs.ListJobsAsync(new ListJobsRequest());
            using var http = new HttpClient();
            var ready = await http.GetAsync(farm.HttpAddress + "/readyz");
            var readiness = await ready.Content.ReadAsStringAsync();
            _cluster.SetAvailable(true);

            var done = await firstDone;
            var secondDone = await farm.Client.WaitAsync((await second).Id, null, timeout.Token);

            Assert.True(done.State == JobState.Succeeded, $"in flight: {done.State} {done.Error}");
            Assert.True(secondDone.State == JobState.Succeeded, $"submitted during the outage: {secondDone.State} {secondDone.Error}");
            Assert.True(done.FinishedAt.ToDateTimeOffset() > downAt.AddSeconds(4), "the first job must have needed Kafka after the outage began");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            // Degraded, not down: the API keeps taking jobs, so it stays ready, and says why.
            Assert.True(ready.IsSuccessStatusCode, readiness);
            Assert.Contains("bus: Degraded", readiness, StringComparison.Ordinal);
            Assert.Contains(listed.Jobs, j => j.Id == first.Id);
            Assert.Equal(["thumbnail-vertical-cover-1.jpg", "vertical.mp4", "vertical.plan.json"], done.Outputs.Select(o => o.Name).Order());
        }
        finally
        {
            await farm.DisposeAsync();
            File.Delete(clip);
        }
    }
}
