using Media.JobApi.Retention;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.IntegrationTests.Store;

/// <summary>Bounded storage: progress compaction and retention, on every store.</summary>
public abstract partial class JobStoreConformance
{
    private static DateTimeOffset Now => T0.AddDays(40);

    [Fact]
    public async Task Commit_StageLeavesRunning_KeepsOnlyItsLastProgressEvent_OtherStagesUntouched()
    {
        await Database.Jobs.CommitAsync(new JobChanges(Job("c1"), isNew: true), CancellationToken.None);
        for (var i = 1; i <= 6; i++)
        {
            await CommitEventsAsync("c1", Progress("c1.a", i / 10.0), Progress("c1.b", i / 20.0));
        }

        await CommitEventsAsync("c1", StageChange("c1.a", StageState.Succeeded));
        var events = await Database.Jobs.GetEventsAsync("c1", 0, 100, CancellationToken.None);

        var a = Assert.Single(events, e => e.Progress?.StageId == "c1.a");
        Assert.Equal((0.6, 11L), (a.Progress.StageProgress, a.Sequence));
        Assert.Equal(6, events.Count(e => e.Progress?.StageId == "c1.b"));
        Assert.Equal(13, (await Database.Jobs.GetJobAsync("c1", CancellationToken.None))!.LastSequence);

        // A failed attempt ends the stage's heartbeats too; the next attempt's are compacted when it ends in turn.
        await CommitEventsAsync("c1", StageChange("c1.b", StageState.Failed));
        await CommitEventsAsync("c1", StageChange("c1.b", StageState.Running), Progress("c1.b", 0.1), Progress("c1.b", 0.2));
        await CommitEventsAsync("c1", StageChange("c1.b", StageState.Succeeded));
        events = await Database.Jobs.GetEventsAsync("c1", 0, 100, CancellationToken.None);
        Assert.Equal(0.2, Assert.Single(events, e => e.Progress?.StageId == "c1.b").Progress.StageProgress);
        Assert.Equal(4, events.Count(e => e.StageChanged is not null));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
    }

    [Fact]
    public async Task Retention_ListsAndDeletesExactlyTheExpiredJobs_WithEveryRow_AndRecordsTheirFolders()
    {
        await FinishedJobAsync("old", "t1", daysAgo: 31);
        await FinishedJobAsync("recent", "t1", daysAgo: 29);
        await Database.Jobs.CommitAsync(new JobChanges(Job("unfinished", "t1"), isNew: true), CancellationToken.None);
        await FinishedJobAsync("delivered", "t1", daysAgo: 31);
        await Database.Webhooks.PutWebhookDeliveryAsync(new StoredDocument("t1", "delivered", "{}", Now), Media.JobApi.Webhooks.WebhookDelivery.Delivered, CancellationToken.None);
        await FinishedJobAsync("retrying", "t1", daysAgo: 31);
        await Database.Webhooks.PutWebhookDeliveryAsync(new StoredDocument("t1", "retrying", "{}", Now), Media.JobApi.Webhooks.WebhookDelivery.Retrying, CancellationToken.None);
        await FinishedJobAsync("waiting", "t1", daysAgo: 31);
        await Database.Publications.PutPublicationAsync(new PublicationRecord("waiting", "t1", new Publication { State = PublicationState.Scheduled, PublishAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Now.AddDays(1)) }), CancellationToken.None);
        await FinishedJobAsync("parent", "t1", daysAgo: 31);
        await FinishedJobAsync("child", "t1", daysAgo: 1, source: "tenants/t1/jobs/parent/outputs/a.mp4");
        await FinishedJobAsync("short", "t2", daysAgo: 6);
        await FinishedJobAsync("forever", "t3", daysAgo: 400);
        var cutoffs = Options().FinishedJobCutoffs(Now);

        var expired = await Database.Retention.ListExpiredJobsAsync(cutoffs, 100, CancellationToken.None);

        Assert.Equal(["delivered", "old", "short"], expired.Select(j => j.Id).Order());
        Assert.False(await Database.Retention.DeleteJobAsync(new ExpiredJob("recent", "t1", Now.AddDays(-29)), cutoffs.For("t1")!.Value, "tenants/t1/jobs/recent", CancellationToken.None));
        foreach (var job in expired)
        {
            Assert.True(await Database.Retention.DeleteJobAsync(job, cutoffs.For(job.Tenant)!.Value, $"tenants/{job.Tenant}/jobs/{job.Id}", CancellationToken.None));
            Assert.False(await Database.Retention.DeleteJobAsync(job, cutoffs.For(job.Tenant)!.Value, $"tenants/{job.Tenant}/jobs/{job.Id}", CancellationToken.None));
        }

        foreach (var id in (string[])["old", "delivered", "short"])
        {
            Assert.Null(await Database.Jobs.GetJobAsync(id, CancellationToken.None));
            Assert.Empty(await Database.Jobs.GetEventsAsync(id, 0, 100, CancellationToken.None));
            Assert.Empty(await Database.Jobs.GetStagesAsync(id, CancellationToken.None));
            Assert.Empty(await Database.Jobs.GetOutputsAsync(id, CancellationToken.None));
        }

        Assert.Null(await Database.Webhooks.GetWebhookDeliveryAsync("t1", "delivered", CancellationToken.None));
        foreach (var id in (string[])["recent", "unfinished", "retrying", "waiting", "parent", "child", "forever"])
        {
            Assert.NotNull(await Database.Jobs.GetJobAsync(id, CancellationToken.None));
        }

        Assert.Single(await Database.Jobs.GetEventsAsync("recent", 0, 100, CancellationToken.None));
        Assert.Empty(await Database.Retention.ListExpiredJobsAsync(cutoffs, 100, CancellationToken.None));
        var folders = await Database.Retention.ListBlobDeletionsAsync(100, CancellationToken.None);
        Assert.Equal(["tenants/t1/jobs/delivered", "tenants/t1/jobs/old", "tenants/t2/jobs/short"], folders.Select(f => f.Key).Order());
        Assert.All(folders, f => Assert.True(f.IsFolder));
        foreach (var folder in folders)
        {
            await Database.Retention.ForgetBlobDeletionAsync(folder.Key, CancellationToken.None);
        }

        Assert.Empty(await Database.Retention.ListBlobDeletionsAsync(100, CancellationToken.None));
        Assert.Empty(await Database.Retention.ListExpiredJobsAsync(new RetentionOptions { FinishedJobDays = 0 }.FinishedJobCutoffs(Now), 100, CancellationToken.None));
    }

    [Fact]
    public async Task Retention_ListsAndDeletesExactlyTheUploadsNothingUses()
    {
        await UploadAsync("up_unused1", "t1", hoursAgo: 30);
        await UploadAsync("up_source1", "t1", hoursAgo: 30);
        await FinishedJobAsync("uses-source", "t1", daysAgo: 1, source: "tenants/t1/uploads/up_source1/clip.mp4");
        await UploadAsync("up_logo1", "t1", hoursAgo: 30);
        await Database.Jobs.CommitAsync(new JobChanges(Job("uses-logo", "t1") with { Parameters = new Dictionary<string, string> { ["logo"] = "blob:tenants/t1/uploads/up_logo1/logo.png" } }, isNew: true), CancellationToken.None);
        await UploadAsync("up_pattern1", "t1", hoursAgo: 30);
        await Database.Documents.Patterns.PutAsync(new StoredDocument("t1", "brand", "steps:\n  - logo: { image: \"blob:tenants/t1/uploads/up_pattern1/logo.png\" }", Now), CancellationToken.None);
        await UploadAsync("up_template1", "t1", hoursAgo: 30);
        await Database.Documents.Templates.PutAsync(new StoredDocument("t1", "cover", "{\"font\":\"blob:tenants/t1/uploads/up_template1/brand.ttf\"}", Now), CancellationToken.None);
        await UploadAsync("up_fresh1", "t1", hoursAgo: 2);
        await UploadAsync("up_kept1", "t3", hoursAgo: 5000);
        await UploadAsync("up_short1", "t2", hoursAgo: 2);
        var cutoffs = Options().UploadCutoffs(Now);

        var unused = await Database.Retention.ListUnusedUploadsAsync(cutoffs, 100, CancellationToken.None);

        Assert.Equal(["up_short1", "up_unused1"], unused.Select(u => u.Id).Order());
        foreach (var upload in unused)
        {
            Assert.True(await Database.Retention.DeleteUploadAsync(upload, cutoffs.For(upload.Tenant)!.Value, CancellationToken.None));
            Assert.False(await Database.Retention.DeleteUploadAsync(upload, cutoffs.For(upload.Tenant)!.Value, CancellationToken.None));
            Assert.Null(await Database.Uploads.GetUploadAsync(upload.Tenant, upload.Id, CancellationToken.None));
        }

        Assert.NotNull(await Database.Uploads.GetUploadAsync("t1", "up_source1", CancellationToken.None));
        var objects = await Database.Retention.ListBlobDeletionsAsync(100, CancellationToken.None);
        Assert.Equal(["tenants/t1/uploads/up_unused1/clip.mp4", "tenants/t2/uploads/up_short1/clip.mp4"], objects.Select(o => o.Key).Order());
        Assert.All(objects, o => Assert.False(o.IsFolder));
    }

    /// <summary>30 days and 24 hours for the farm; tenant t2 keeps jobs 5 days and uploads 1 hour; t3 keeps everything.</summary>
    private static RetentionOptions Options() => new()
    {
        FinishedJobDays = 30,
        UnusedUploadHours = 24,
        Tenants =
        {
            ["t2"] = new TenantRetention { FinishedJobDays = 5, UnusedUploadHours = 1 },
            ["t3"] = new TenantRetention { FinishedJobDays = 0, UnusedUploadHours = 0 },
        },
    };

    private async Task FinishedJobAsync(string id, string tenant, double daysAgo, string source = "tenants/t1/uploads/up_other/clip.mp4")
    {
        var changes = new JobChanges(Job(id, tenant, labels: new Dictionary<string, string> { ["batch"] = "b" }) with { State = JobState.Succeeded, FinishedAt = Now.AddDays(-daysAgo), SourceKey = source }, isNew: true);
        changes.Stages.Add(Stage(id, "a", StageState.Succeeded));
        changes.Outputs.Add(new Output { Name = "a.mp4", Key = $"tenants/{tenant}/jobs/{id}/outputs/a.mp4" });
        changes.Events.Add(Event(JobState.Succeeded));
        await Database.Jobs.CommitAsync(changes, CancellationToken.None);
    }

    private Task UploadAsync(string id, string tenant, double hoursAgo) =>
        Database.Uploads.CreateUploadAsync(new UploadRecord(id, tenant, $"tenants/{tenant}/uploads/{id}/clip.mp4", "clip.mp4", "video/mp4", 10, "00", Now.AddHours(-hoursAgo)), CancellationToken.None);

    private async Task CommitEventsAsync(string jobId, params JobEvent[] events)
    {
        var changes = new JobChanges((await Database.Jobs.GetJobAsync(jobId, CancellationToken.None))!);
        changes.Events.AddRange(events);
        await Database.Jobs.CommitAsync(changes, CancellationToken.None);
    }

    private static JobEvent Progress(string stageId, double fraction) => new() { Progress = new JobProgress { StageId = stageId, StageProgress = fraction, Progress = fraction / 2 } };

    private static JobEvent StageChange(string stageId, StageState state) => new() { StageChanged = new StageChanged { StageId = stageId, State = state, Kind = StageKind.Render } };
}
