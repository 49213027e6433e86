using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// One tenant's batch and another tenant's single job on the same farm: the single job is admitted at once
/// and finishes while most of the batch is still waiting, instead of queueing behind all of it.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class FairnessTests : IAsyncLifetime
{
    private const string BootstrapKey = "operator-bootstrap-key-fairness-0123456789";
    private const int BatchSize = 12;

    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Auth:BootstrapAdminKey"] = BootstrapKey,
        ["Media:Quotas:MaxRunningJobsPerTenant"] = "2",
    });

    private readonly string _clip = Path.Combine(Path.GetTempPath(), "fairness-" + Guid.NewGuid().ToString("N") + ".mp4");

    public async Task InitializeAsync()
    {
        await TestMedia.MakeClipAsync(_clip, 1, audio: false);
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        File.Delete(_clip);
    }

    [Fact]
    public async Task BigBatchOfOneTenant_DoesNotStarveAnotherTenantsJob()
    {
        using var admin = new FarmClient(_farm.Client.Address, BootstrapKey);
        using var agency = new FarmClient(_farm.Client.Address, (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "agency" })).Secret);
        using var studio = new FarmClient(_farm.Client.Address, (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "studio" })).Secret);
        var agencyUpload = await agency.UploadFileAsync(_clip, null, CancellationToken.None);
        var studioUpload = await studio.UploadFileAsync(_clip, null, CancellationToken.None);

        var batch = new SubmitBatchRequest();
        for (var i = 0; i < BatchSize; i++)
        {
            batch.Jobs.Add(new SubmitJobRequest { Source = new Source { UploadId = agencyUpload.UploadId }, PatternName = "reframe-vertical", Priority = Priority.Bulk });
        }

        var submitted = await agency.Jobs.SubmitBatchAsync(batch);
        var single = await studio.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = studioUpload.UploadId }, PatternName = "reframe-vertical", Priority = Priority.Bulk });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var done = await studio.WaitAsync(single.Id, null, timeout.Token);
        var batchIds = submitted.Results.Select(r => r.Job.Id).ToHashSet();
        var batchAtThatMoment = (await agency.Jobs.ListJobsAsync(new ListJobsRequest { PageSize = 100 })).Jobs.Where(j => batchIds.Contains(j.Id)).ToList();
        var finishedBefore = batchAtThatMoment.Count(j => j.State == JobState.Succeeded && j.FinishedAt.ToDateTimeOffset() <= done.FinishedAt.ToDateTimeOffset());

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(BatchSize, batchIds.Count);
        // With the allowance of 2 the studio's job waits behind at most the 2 admitted agency jobs (plus any that
        // finished while it was probed); without admission it would wait behind all 12.
        Assert.True(finishedBefore <= 5, $"{finishedBefore} of the agency's {BatchSize} jobs finished before the studio's single job");
        Assert.True(batchAtThatMoment.Count(j => j.State == JobState.Queued) >= BatchSize - 7, "most of the batch should still be waiting");

        foreach (var id in batchIds)
        {
            Assert.Equal(JobState.Succeeded, (await agency.WaitAsync(id, null, timeout.Token)).State);
        }
    }
}
