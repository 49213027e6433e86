using Media.Protos.V1;

namespace Media.IntegrationTests.Store;

/// <summary>The whole farm with Media:Store=postgres: the same jobs, on the distributed job store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFarmTests(PostgresServer server)
{
    [Fact]
    public async Task Farm_OnPostgresStore_RunsAJobToSuccessAndSurvivesARestart()
    {
        var connection = await server.CreateDatabaseAsync();
        var overrides = new Dictionary<string, string?> { ["Media:Store"] = "postgres", ["Media:Postgres:ConnectionString"] = connection };
        var clip = Path.Combine(Path.GetTempPath(), "pg-farm-" + Guid.NewGuid().ToString("N") + ".mp4");
        await TestMedia.MakeClipAsync(clip, 1.5, audio: false);
        string jobId;
        var farm = new InProcessFarm(overrides);
        await farm.InitializeAsync();
        try
        {
            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill" });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);
            Assert.True(job.State == JobState.Succeeded, job.Error?.ToString());
            // The video, its cover, and the edit plan the video was rendered from.
            Assert.Equal(3, job.Outputs.Count);
            jobId = job.Id;
        }
        finally
        {
            await farm.DisposeAsync();
            File.Delete(clip);
        }

        var again = new InProcessFarm(overrides);
        await again.InitializeAsync();
        try
        {
            var reread = await again.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
            Assert.Equal(JobState.Succeeded, reread.State);
            Assert.True(reread.LastSequence > 5);
        }
        finally
        {
            await again.DisposeAsync();
        }
    }
}
