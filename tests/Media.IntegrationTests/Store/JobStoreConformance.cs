using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.IntegrationTests.Store;

/// <summary>One behaviour suite every job store must pass; run against SQLite and PostgreSQL.</summary>
public abstract partial class JobStoreConformance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    protected JobDatabase Database { get; private set; } = null!;

    protected abstract Task<JobDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Database = await CreateDatabaseAsync();
        await Database.MigrateAsync(CancellationToken.None);
        await Database.MigrateAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync() => await Database.DisposeAsync();

    private static JobRecord Job(string id, string tenant = "t1", string key = "", DateTimeOffset? created = null, Dictionary<string, string>? labels = null) => new()
    {
        Id = id,
        Tenant = tenant,
        IdempotencyKey = key,
        RequestHash = "h-" + id,
        PatternName = "reframe-vertical",
        PatternDocument = "doc",
        SourceKey = "uploads/x/clip.mp4",
        Parameters = new Dictionary<string, string> { ["title"] = "Hi ‘quotes’ 😀" },
        Labels = labels ?? new Dictionary<string, string>(),
        OutputsWanted = ["vertical"],
        Priority = Priority.High,
        WebhookUrl = "https://example.invalid/hook",
        CreatedAt = created ?? T0,
        UpdatedAt = created ?? T0,
        Templates = new Dictionary<string, string> { ["mine"] = "template doc" },
    };

    private static StageRecord Stage(string jobId, string name, StageState state, DateTimeOffset? lease = null) => new()
    {
        Id = $"{jobId}.{name}",
        JobId = jobId,
        Kind = StageKind.Render,
        State = state,
        OutputName = name,
        DependsOn = [$"{jobId}.probe"],
        Attempt = state == StageState.Waiting ? 0 : 1,
        LeaseExpiresAt = lease,
        Error = new JobError { Code = "x", Message = "m" },
    };

    private static JobEvent Event(JobState state) => new() { Time = Timestamp.FromDateTimeOffset(T0), StateChanged = new JobStateChanged { State = state } };

    [Fact]
    public async Task Commit_NewJob_RoundTripsEveryField()
    {
        var changes = new JobChanges(Job("j1") with { SourceInfo = new MediaInfo { Width = 1280 }, Error = new JobError { Code = "c" } }, isNew: true);
        changes.Stages.Add(Stage("j1", "a", StageState.Dispatched, T0.AddSeconds(30)) with { Variants = ["square", "wide"], RenderedBy = "j1.lead" });
        changes.Outputs.Add(new Output { Name = "a.mp4", Key = "k", Sha256 = "s" });
        changes.Events.Add(Event(JobState.Queued));

        var events = await Database.Jobs.CommitAsync(changes, CancellationToken.None);
        var job = await Database.Jobs.GetJobAsync("j1", CancellationToken.None);

        Assert.Equal(1, events.Single().Sequence);
        Assert.NotNull(job);
        Assert.Equal(Job("j1") with { SourceInfo = new MediaInfo { Width = 1280 }, Error = new JobError { Code = "c" }, LastSequence = 1, Parameters = job.Parameters, Labels = job.Labels, OutputsWanted = job.OutputsWanted, Templates = job.Templates }, job);
        Assert.Equal("Hi ‘quotes’ 😀", job.Parameters["title"]);
        Assert.Equal(["vertical"], job.OutputsWanted);
        Assert.Equal("template doc", job.Templates["mine"]);
        var stage = Assert.Single(await Database.Jobs.GetStagesAsync("j1", CancellationToken.None));
        Assert.Equal(Stage("j1", "a", StageState.Dispatched, T0.AddSeconds(30)) with { DependsOn = stage.DependsOn, Variants = stage.Variants, RenderedBy = "j1.lead" }, stage);
        Assert.Equal(["j1.probe"], stage.DependsOn);
        Assert.Equal(["square", "wide"], stage.Variants);

        // A stored stage regrouped (the probe's decision, or a variant rendered on its own after all): the update writes both.
        var regrouped = new JobChanges(job);
        regrouped.Stages.Add(stage with { Variants = [], RenderedBy = string.Empty });
        await Database.Jobs.CommitAsync(regrouped, CancellationToken.None);
        var again = Assert.Single(await Database.Jobs.GetStagesAsync("j1", CancellationToken.None));
        Assert.Equal((0, ""), (again.Variants.Count, again.RenderedBy));
        Assert.Equal("s", Assert.Single(await Database.Jobs.GetOutputsAsync("j1", CancellationToken.None)).Sha256);
    }

    [Fact]
    public async Task Commit_Updates_AppendEventsInSequenceAndUpsertOutputs()
    {
        var changes = new JobChanges(Job("j2"), isNew: true);
        changes.Events.Add(Event(JobState.Queued));
        await Database.Jobs.CommitAsync(changes, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            var update = new JobChanges((await Database.Jobs.GetJobAsync("j2", CancellationToken.None))! with { State = JobState.Running, Progress = i / 10.0 });
            update.Events.Add(Event(JobState.Running));
            update.Events.Add(Event(JobState.Running));
            update.Outputs.Add(new Output { Name = "same.mp4", Sha256 = "v" + i });
            await Database.Jobs.CommitAsync(update, CancellationToken.None);
        }

        var events = await Database.Jobs.GetEventsAsync("j2", 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal([5L, 6L, 7L], (await Database.Jobs.GetEventsAsync("j2", 4, 100, CancellationToken.None)).Select(e => e.Sequence));
        Assert.Equal(7, (await Database.Jobs.GetJobAsync("j2", CancellationToken.None))!.LastSequence);
        Assert.Equal("v2", Assert.Single(await Database.Jobs.GetOutputsAsync("j2", CancellationToken.None)).Sha256);
    }

    [Fact]
    public async Task FindByIdempotencyKey_IsPerTenant()
    {
        await Database.Jobs.CommitAsync(new JobChanges(Job("j3", "t1", "key-1"), isNew: true), CancellationToken.None);
        await Database.Jobs.CommitAsync(new JobChanges(Job("j4", "t2", "key-1"), isNew: true), CancellationToken.None);

        Assert.Equal("j3", (await Database.Jobs.FindByIdempotencyKeyAsync("t1", "key-1", CancellationToken.None))?.Id);
        Assert.Equal("j4", (await Database.Jobs.FindByIdempotencyKeyAsync("t2", "key-1", CancellationToken.None))?.Id);
        Assert.Null(await Database.Jobs.FindByIdempotencyKeyAsync("t3", "key-1", CancellationToken.None));
    }

    [Fact]
    public async Task ListJobs_FiltersByStateAndLabels_PagesNewestFirst()
    {
        for (var i = 0; i < 5; i++)
        {
            var labels = new Dictionary<string, string> { ["batch"] = i < 4 ? "b1" : "b2", ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            await Database.Jobs.CommitAsync(new JobChanges(Job($"list{i}", "lister", created: T0.AddSeconds(i), labels: labels) with { State = i == 0 ? JobState.Failed : JobState.Queued }, isNew: true), CancellationToken.None);
        }

        var first = await Database.Jobs.ListJobsAsync(new JobQuery("lister", JobState.Queued, new Dictionary<string, string> { ["batch"] = "b1" }, 2, null), CancellationToken.None);
        var second = await Database.Jobs.ListJobsAsync(new JobQuery("lister", JobState.Queued, new Dictionary<string, string> { ["batch"] = "b1" }, 2, first.NextPageToken), CancellationToken.None);
        var other = await Database.Jobs.ListJobsAsync(new JobQuery("someone-else", JobState.Unspecified, new Dictionary<string, string>(), 10, null), CancellationToken.None);

        Assert.Equal(["list3", "list2"], first.Jobs.Select(j => j.Id));
        Assert.Equal(["list1"], second.Jobs.Select(j => j.Id));
        Assert.Equal(string.Empty, second.NextPageToken);
        Assert.Empty(other.Jobs);
    }

    [Fact]
    public async Task DueAndActiveStages_OnlyOfUnfinishedJobs()
    {
        var live = new JobChanges(Job("live") with { State = JobState.Running }, isNew: true);
        live.Stages.Add(Stage("live", "expired", StageState.Running, T0.AddSeconds(-1)));
        live.Stages.Add(Stage("live", "fresh", StageState.Dispatched, T0.AddSeconds(60)));
        live.Stages.Add(Stage("live", "retry", StageState.Waiting, T0.AddSeconds(-1)) with { Attempt = 1 });
        live.Stages.Add(Stage("live", "unstarted", StageState.Waiting));
        await Database.Jobs.CommitAsync(live, CancellationToken.None);
        var done = new JobChanges(Job("done") with { State = JobState.Succeeded }, isNew: true);
        done.Stages.Add(Stage("done", "old", StageState.Running, T0.AddSeconds(-100)));
        await Database.Jobs.CommitAsync(done, CancellationToken.None);

        var due = await Database.Queries.GetDueStagesAsync(T0, CancellationToken.None);
        var active = await Database.Queries.GetActiveStagesAsync(CancellationToken.None);

        Assert.Equal(["live.expired", "live.retry"], due.Select(s => s.Id).Order());
        Assert.Equal(["live.expired", "live.fresh"], active.Select(s => s.Id).Order());
        Assert.Equal("live.fresh", (await Database.Jobs.GetStageAsync("live.fresh", CancellationToken.None))?.Id);
        Assert.Null(await Database.Jobs.GetStageAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Uploads_AndTemplates_AreScopedToTheirTenant()
    {
        await Database.Uploads.CreateUploadAsync(new UploadRecord("up1", "t1", "uploads/up1/a.mp4", "a.mp4", "video/mp4", 5_000_000_000, "sha", T0), CancellationToken.None);
        await Database.Documents.Templates.PutAsync(new StoredDocument("t1", "cover", "v1", T0), CancellationToken.None);
        await Database.Documents.Templates.PutAsync(new StoredDocument("t1", "cover", "v2", T0), CancellationToken.None);

        Assert.Equal(5_000_000_000, (await Database.Uploads.GetUploadAsync("t1", "up1", CancellationToken.None))?.SizeBytes);
        Assert.Null(await Database.Uploads.GetUploadAsync("t2", "up1", CancellationToken.None));
        Assert.Equal("v2", Assert.Single(await Database.Documents.Templates.ListAsync("t1", CancellationToken.None)).Document);
        Assert.Empty(await Database.Documents.Templates.ListAsync("t2", CancellationToken.None));
        Assert.False(await Database.Documents.Templates.DeleteAsync("t2", "cover", CancellationToken.None));
        Assert.True(await Database.Documents.Templates.DeleteAsync("t1", "cover", CancellationToken.None));
        Assert.True(await Database.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Engagement_IsReplacedPerOutputAndScopedToItsTenant()
    {
        await Database.Documents.Engagement.PutAsync(new StoredDocument("t1", "job-1/a.mp4", "{\"views\":1}", T0), CancellationToken.None);
        await Database.Documents.Engagement.PutAsync(new StoredDocument("t1", "job-1/a.mp4", "{\"views\":2}", T0.AddSeconds(1)), CancellationToken.None);
        await Database.Documents.Engagement.PutAsync(new StoredDocument("t1", "job-1/b.mp4", "{\"views\":3}", T0), CancellationToken.None);
        await Database.Documents.Patterns.PutAsync(new StoredDocument("t1", "job-1/a.mp4", "pattern", T0), CancellationToken.None);

        var stored = await Database.Documents.Engagement.ListAsync("t1", CancellationToken.None);
        Assert.Equal(["{\"views\":2}", "{\"views\":3}"], stored.Select(d => d.Document));
        Assert.Empty(await Database.Documents.Engagement.ListAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task ApiKeys_FoundByIdWhateverTheTenant_ListedPerTenantOrAll()
    {
        await Database.ApiKeys.PutApiKeyAsync(new StoredDocument("t1", "k_a", "{\"v\":1}", T0), CancellationToken.None);
        await Database.ApiKeys.PutApiKeyAsync(new StoredDocument("t1", "k_a", "{\"v\":2}", T0.AddSeconds(1)), CancellationToken.None);
        await Database.ApiKeys.PutApiKeyAsync(new StoredDocument("t2", "k_b", "{\"v\":3}", T0), CancellationToken.None);

        Assert.Equal(("t1", "{\"v\":2}"), (await Database.ApiKeys.FindApiKeyAsync("k_a", CancellationToken.None)) is { } a ? (a.Tenant, a.Document) : default);
        Assert.Null(await Database.ApiKeys.FindApiKeyAsync("k_c", CancellationToken.None));
        Assert.Equal(["k_a"], (await Database.ApiKeys.ListApiKeysAsync("t1", CancellationToken.None)).Select(d => d.Name));
        Assert.Equal(["k_a", "k_b"], (await Database.ApiKeys.ListApiKeysAsync(null, CancellationToken.None)).Select(d => d.Name));
    }

    [Fact]
    public async Task Admission_CountsAdmittedAndListsHeldJobsInPriorityOrder()
    {
        async Task Add(string id, string tenant, Priority priority, int minutes, bool admitted, JobState state = JobState.Queued)
        {
            var job = Job(id, tenant, created: T0.AddMinutes(minutes)) with { Priority = priority, State = state, Held = !admitted, SourceInfo = new MediaInfo { DurationSeconds = 30 } };
            var changes = new JobChanges(job, isNew: true);
            changes.Stages.Add(new StageRecord { Id = id + ".probe", JobId = id, Kind = StageKind.Probe, State = admitted ? StageState.Dispatched : StageState.Waiting, Attempt = admitted ? 1 : 0 });
            await Database.Jobs.CommitAsync(changes, CancellationToken.None);
        }

        await Add("j-run", "t1", Priority.Normal, 0, admitted: true, JobState.Running);
        await Add("j-bulk", "t1", Priority.Bulk, 1, admitted: false);
        await Add("j-normal-late", "t1", Priority.Normal, 3, admitted: false);
        await Add("j-normal", "t1", Priority.Normal, 2, admitted: false);
        await Add("j-high", "t1", Priority.High, 4, admitted: false);
        await Add("j-done", "t1", Priority.High, 5, admitted: true, JobState.Succeeded);
        await Add("j-other", "t2", Priority.Normal, 0, admitted: false);

        Assert.Equal(5, await Database.Queries.CountUnfinishedJobsAsync("t1", CancellationToken.None));
        Assert.Equal(1, await Database.Queries.CountAdmittedJobsAsync("t1", CancellationToken.None));
        Assert.Equal(["j-high", "j-normal", "j-normal-late"], await Database.Queries.GetHeldJobIdsAsync("t1", 3, CancellationToken.None));
        Assert.Equal(["t1", "t2"], await Database.Queries.GetTenantsWithHeldJobsAsync(CancellationToken.None));
        Assert.Equal(6 * 30, await Database.Queries.SumSourceSecondsAsync("t1", T0, CancellationToken.None));
        Assert.Equal(2 * 30, await Database.Queries.SumSourceSecondsAsync("t1", T0.AddMinutes(4), CancellationToken.None));
    }

    [Fact]
    public async Task JobDetails_ForAPage_AreWhatEachJobsOwnLookupsReturn()
    {
        foreach (var id in new[] { "d1", "d2", "d3" })
        {
            var changes = new JobChanges(Job(id), isNew: true);
            changes.Stages.Add(Stage(id, "b", StageState.Waiting));
            changes.Stages.Add(Stage(id, "a", StageState.Dispatched, T0.AddSeconds(30)));
            if (id != "d2")
            {
                changes.Outputs.Add(new Output { Name = $"{id}-z.mp4", Key = "k", Sha256 = "s" });
                changes.Outputs.Add(new Output { Name = $"{id}-a.jpg", Key = "k2", Sha256 = "s2" });
            }

            await Database.Jobs.CommitAsync(changes, CancellationToken.None);
        }

        await Database.Publications.PutPublicationAsync(new PublicationRecord("d3", "t1", new Publication { State = PublicationState.Scheduled, PublishAt = Timestamp.FromDateTimeOffset(T0) }), CancellationToken.None);

        var details = await Database.Jobs.GetJobDetailsAsync(["d3", "d1", "d2", "missing"], CancellationToken.None);

        Assert.Equal(["d1", "d2", "d3", "missing"], details.Keys.Order(StringComparer.Ordinal));
        foreach (var id in new[] { "d1", "d2", "d3" })
        {
            Assert.Equal((await Database.Jobs.GetStagesAsync(id, CancellationToken.None)).Select(st => st.Id), details[id].Stages.Select(st => st.Id));
            Assert.Equal(await Database.Jobs.GetOutputsAsync(id, CancellationToken.None), details[id].Outputs);
        }

        Assert.Empty(details["d2"].Outputs);
        Assert.Empty(details["missing"].Stages);
        Assert.Equal(PublicationState.Scheduled, details["d3"].Publication?.Publication.State);
        Assert.Null(details["d1"].Publication);
        Assert.Empty(await Database.Jobs.GetJobDetailsAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task UnsettledWebhooks_AreFinishedJobsWithoutARecordOrWithAQuietRetry_ClaimedOnce()
    {
        async Task FinishedAsync(string id, int minute, string webhook = "https://example.invalid/hook", JobState state = JobState.Succeeded)
        {
            var finished = T0.AddMinutes(minute);
            await Database.Jobs.CommitAsync(new JobChanges(Job(id) with { State = state, WebhookUrl = webhook, FinishedAt = state == JobState.Running ? null : finished, UpdatedAt = finished }, isNew: true), CancellationToken.None);
        }

        StoredDocument Record(string id, string state, int minute) =>
            new("t1", id, new Media.JobApi.Webhooks.WebhookDelivery(id, "https://example.invalid/hook", state, []).ToJson(), T0.AddMinutes(minute));

        await FinishedAsync("no-record", 2);
        await FinishedAsync("quiet-retry", 1);
        await FinishedAsync("busy-retry", 3);
        await FinishedAsync("delivered", 4);
        await FinishedAsync("failed-for-good", 5, state: JobState.Failed);
        await FinishedAsync("no-webhook", 6, webhook: string.Empty);
        await FinishedAsync("still-running", 7, state: JobState.Running);
        await FinishedAsync("too-old", -100);
        await FinishedAsync("too-new", 30);
        await Database.Webhooks.PutWebhookDeliveryAsync(Record("quiet-retry", "retrying", 3), "retrying", CancellationToken.None);
        await Database.Webhooks.PutWebhookDeliveryAsync(Record("busy-retry", "retrying", 12), "retrying", CancellationToken.None);
        await Database.Webhooks.PutWebhookDeliveryAsync(Record("delivered", "delivered", 5), "delivered", CancellationToken.None);

        // Publications: requested with no hand-off record (owed), requested and delivered, requested too recently.
        async Task RequestedAsync(string id, int publishMinute)
        {
            await FinishedAsync(id, 2);
            await Database.Webhooks.PutWebhookDeliveryAsync(Record(id, "delivered", 3), "delivered", CancellationToken.None);
            await Database.Publications.PutPublicationAsync(new PublicationRecord(id, "t1", new Publication { State = PublicationState.Requested, PublishAt = Timestamp.FromDateTimeOffset(T0.AddMinutes(publishMinute)) }), CancellationToken.None);
        }

        await RequestedAsync("handoff-owed", 1);
        await RequestedAsync("handoff-done", 1);
        await RequestedAsync("handoff-just-now", 20);
        await Database.Webhooks.PutWebhookDeliveryAsync(Record("handoff-done", "delivered", 3) with { Name = "handoff-done/publish" }, "delivered", CancellationToken.None);

        var unsettled = await Database.Webhooks.ListUnsettledWebhooksAsync(T0, T0.AddMinutes(10), 10, CancellationToken.None);

        // "failed-for-good" is a failed job with no record yet: its webhook is still owed.
        Assert.Equal(["quiet-retry", "no-record", "failed-for-good", "handoff-owed/publish"], unsettled.Select(w => w.RecordName));
        Assert.True(unsettled[3].Publication);
        Assert.Null(unsettled[3].Delivery);
        Assert.Null(unsettled[1].Delivery);
        Assert.Equal(T0.AddMinutes(3), unsettled[0].Delivery!.UpdatedAt);
        Assert.Equal("https://example.invalid/hook", unsettled[0].Url);
        var claim = Record("quiet-retry", "retrying", 11);
        Assert.True(await Database.Webhooks.TryClaimWebhookAsync(unsettled[0], claim, CancellationToken.None));
        Assert.False(await Database.Webhooks.TryClaimWebhookAsync(unsettled[0], claim with { UpdatedAt = T0.AddMinutes(12) }, CancellationToken.None));
        Assert.True(await Database.Webhooks.TryClaimWebhookAsync(unsettled[1], Record("no-record", "retrying", 11), CancellationToken.None));
        Assert.False(await Database.Webhooks.TryClaimWebhookAsync(unsettled[1], Record("no-record", "retrying", 12), CancellationToken.None));
        Assert.True(await Database.Webhooks.TryClaimWebhookAsync(unsettled[3], Record("handoff-owed", "retrying", 11) with { Name = "handoff-owed/publish" }, CancellationToken.None));
        Assert.Equal(["failed-for-good"], (await Database.Webhooks.ListUnsettledWebhooksAsync(T0, T0.AddMinutes(10), 10, CancellationToken.None)).Select(w => w.RecordName));
        Assert.Equal(T0.AddMinutes(11), (await Database.Webhooks.GetWebhookDeliveryAsync("t1", "no-record", CancellationToken.None))!.UpdatedAt);
    }

    [Fact]
    public async Task Publications_DueInTimeOrder_ReplacedOnlyFromTheExpectedState()
    {
        PublicationRecord Scheduled(string jobId, int minutes) => new(jobId, "t1", new Publication
        {
            PublishAt = Timestamp.FromDateTimeOffset(T0.AddMinutes(minutes)),
            State = PublicationState.Scheduled,
            Destinations = { new Destination { Platform = "tiktok", Account = "@a ‘quoted’" } },
        });

        await Database.Publications.PutPublicationAsync(Scheduled("late", 10), CancellationToken.None);
        await Database.Publications.PutPublicationAsync(Scheduled("soon", 2), CancellationToken.None);
        await Database.Publications.PutPublicationAsync(Scheduled("first", 1), CancellationToken.None);

        var due = await Database.Publications.GetDuePublicationsAsync(T0.AddMinutes(5), 10, CancellationToken.None);
        Assert.Equal(["first", "soon"], due.Select(p => p.JobId));
        Assert.Equal("@a ‘quoted’", due[0].Publication.Destinations[0].Account);

        var claimed = due[0] with { Publication = due[0].Publication.Clone() };
        claimed.Publication.State = PublicationState.Requested;
        Assert.True(await Database.Publications.ReplacePublicationAsync(due[0], claimed, CancellationToken.None));
        Assert.False(await Database.Publications.ReplacePublicationAsync(due[0], claimed, CancellationToken.None));
        var rescheduled = Scheduled("soon", 30);
        await Database.Publications.PutPublicationAsync(rescheduled, CancellationToken.None);
        Assert.False(await Database.Publications.ReplacePublicationAsync(due[1], claimed with { JobId = "soon" }, CancellationToken.None));
        Assert.Empty(await Database.Publications.GetDuePublicationsAsync(T0.AddMinutes(5), 10, CancellationToken.None));
        Assert.Equal(PublicationState.Requested, (await Database.Publications.GetPublicationAsync("first", CancellationToken.None))!.State);
        Assert.Null(await Database.Publications.GetPublicationAsync("none", CancellationToken.None));
    }

    [Fact]
    public async Task Patterns_AreScopedToTheirTenantAndKeptApartFromTemplates()
    {
        await Database.Documents.Patterns.PutAsync(new StoredDocument("t1", "clips", "p1", T0), CancellationToken.None);
        await Database.Documents.Patterns.PutAsync(new StoredDocument("t1", "clips", "p2", T0.AddSeconds(1)), CancellationToken.None);
        await Database.Documents.Templates.PutAsync(new StoredDocument("t1", "clips", "template", T0), CancellationToken.None);

        var stored = Assert.Single(await Database.Documents.Patterns.ListAsync("t1", CancellationToken.None));
        Assert.Equal(("p2", T0.AddSeconds(1)), (stored.Document, stored.UpdatedAt));
        Assert.Empty(await Database.Documents.Patterns.ListAsync("t2", CancellationToken.None));
        Assert.False(await Database.Documents.Patterns.DeleteAsync("t2", "clips", CancellationToken.None));
        Assert.True(await Database.Documents.Patterns.DeleteAsync("t1", "clips", CancellationToken.None));
        Assert.Empty(await Database.Documents.Patterns.ListAsync("t1", CancellationToken.None));
        Assert.Equal("template", Assert.Single(await Database.Documents.Templates.ListAsync("t1", CancellationToken.None)).Document);
    }

    [Fact]
    public async Task PendingUploads_CompleteOnceAtomically()
    {
        var pending = new PendingUploadRecord("up9", "t1", "uploads/up9/a.mp4", "a.mp4", "video/mp4", 10, "sha", "s3-id", T0, T0.AddHours(6));
        await Database.Uploads.CreatePendingUploadAsync(pending, CancellationToken.None);
        var upload = new UploadRecord("up9", "t1", pending.Key, "a.mp4", "video/mp4", 10, "sha", T0);

        Assert.Equal(pending, await Database.Uploads.GetPendingUploadAsync("t1", "up9", CancellationToken.None));
        Assert.Null(await Database.Uploads.GetPendingUploadAsync("t2", "up9", CancellationToken.None));
        Assert.True(await Database.Uploads.CompletePendingUploadAsync(upload, CancellationToken.None));
        Assert.False(await Database.Uploads.CompletePendingUploadAsync(upload, CancellationToken.None));
        Assert.Null(await Database.Uploads.GetPendingUploadAsync("t1", "up9", CancellationToken.None));
        Assert.Equal(10, (await Database.Uploads.GetUploadAsync("t1", "up9", CancellationToken.None))!.SizeBytes);
    }

    [Fact]
    public async Task Commit_ConcurrentUpdatesOfOneJob_OneWinsPerVersionAndNoSequenceRepeats()
    {
        await Database.Jobs.CommitAsync(new JobChanges(Job("busy"), isNew: true), CancellationToken.None);
        var refused = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 20), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
        {
            while (true)
            {
                var update = new JobChanges((await Database.Jobs.GetJobAsync("busy", ct))!);
                update.Events.Add(Event(JobState.Running));
                try
                {
                    await Database.Jobs.CommitAsync(update, ct);
                    return;
                }
                catch (ConcurrentChangeException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        var events = await Database.Jobs.GetEventsAsync("busy", 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(20, (await Database.Jobs.GetJobAsync("busy", CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task Commit_FromAStaleRead_IsRefusedAndWritesNothing()
    {
        var created = new JobChanges(Job("stale"), isNew: true);
        created.Stages.Add(Stage("stale", "a", StageState.Dispatched, T0.AddSeconds(30)));
        await Database.Jobs.CommitAsync(created, CancellationToken.None);
        var read = (await Database.Jobs.GetJobAsync("stale", CancellationToken.None))!;
        var first = new JobChanges(read with { State = JobState.Running });
        first.Events.Add(Event(JobState.Running));
        await Database.Jobs.CommitAsync(first, CancellationToken.None);

        var late = new JobChanges(read with { State = JobState.Cancelled });
        late.Stages.Add(Stage("stale", "a", StageState.Cancelled));
        late.Outputs.Add(new Output { Name = "late.mp4" });
        late.Events.Add(Event(JobState.Cancelled));
        await Assert.ThrowsAsync<ConcurrentChangeException>(() => Database.Jobs.CommitAsync(late, CancellationToken.None));

        var job = (await Database.Jobs.GetJobAsync("stale", CancellationToken.None))!;
        Assert.Equal((JobState.Running, 1L, 1L), (job.State, job.Version, job.LastSequence));
        Assert.Equal(StageState.Dispatched, Assert.Single(await Database.Jobs.GetStagesAsync("stale", CancellationToken.None)).State);
        Assert.Empty(await Database.Jobs.GetOutputsAsync("stale", CancellationToken.None));
        Assert.Single(await Database.Jobs.GetEventsAsync("stale", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Commit_SecondJobWithTheSameIdempotencyKey_IsAConcurrentChange()
    {
        await Database.Jobs.CommitAsync(new JobChanges(Job("k1", "t1", "same-key"), isNew: true), CancellationToken.None);

        await Assert.ThrowsAsync<ConcurrentChangeException>(() => Database.Jobs.CommitAsync(new JobChanges(Job("k2", "t1", "same-key"), isNew: true), CancellationToken.None));

        Assert.Null(await Database.Jobs.GetJobAsync("k2", CancellationToken.None));
    }
}
