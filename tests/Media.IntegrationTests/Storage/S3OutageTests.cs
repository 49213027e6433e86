using Grpc.Health.V1;
using Media.Protos.V1;

namespace Media.IntegrationTests.Storage;

/// <summary>Object storage goes away for a few seconds while a job needs it: the job retries and completes, nothing crashes.</summary>
public sealed class S3OutageTests : IAsyncLifetime
{
    private readonly S3Server _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Farm_StorageDownForSeconds_JobRetriesAndSucceeds()
    {
        var overrides = _server.FarmConfiguration();
        overrides["Media:JobApi:RetryBaseDelayMilliseconds"] = "1000";
        overrides["Media:JobApi:MaxAttempts"] = "5";
        var clip = Path.Combine(Path.GetTempPath(), "outage-" + Guid.NewGuid().ToString("N") + ".mp4");
        await TestMedia.MakeClipAsync(clip, 1, audio: false);
        var farm = new InProcessFarm(overrides);
        await farm.InitializeAsync();
        try
        {
            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            await _server.StopAsync();
            var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill" });
            await Task.Delay(TimeSpan.FromSeconds(4));
            var backAt = TimeProvider.System.GetUtcNow();
            await _server.StartAsync();

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);

            Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");

            // The probe needed the source from storage, so it can only have finished once storage was back.
            var probe = job.Stages.Single(s => s.Kind == StageKind.Probe);
            Assert.True(probe.FinishedAt.ToDateTimeOffset() >= backAt, $"probe finished {probe.FinishedAt} before storage came back at {backAt:O}");
            var health = await new Health.HealthClient(Grpc.Net.Client.GrpcChannel.ForAddress(farm.Client.Address)).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
        finally
        {
            await farm.DisposeAsync();
            File.Delete(clip);
        }
    }
}
