using Media.JobApi.Retention;
using Media.JobApi.Store;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Media.IntegrationTests.Storage;

/// <summary>A retention pass on a real store and real objects: exactly the expired jobs' and unused uploads' objects go.</summary>
public abstract class RetentionSweepTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "media-retention-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private JobDatabase _database = null!;

    protected abstract IBlobStore Blobs { get; }

    public async Task InitializeAsync()
    {
        _database = JobDatabase.Sqlite(_directory, _time);
        await _database.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Sweep_DeletesExpiredJobsWithTheirObjects_ThenTheUploadsOnlyTheyUsed_AndNothingElse()
    {
        var sweep = new RetentionSweep(_database.Retention, _database.Jobs, Blobs, Options.Create(new RetentionOptions { FinishedJobDays = 30, UnusedUploadHours = 24 }), _time, NullLogger<RetentionSweep>.Instance);
        var oldSource = await UploadAsync("up_oldsource");
        await FinishedJobAsync("job-old", oldSource);
        var sharedSource = await UploadAsync("up_shared");
        await FinishedJobAsync("job-old2", sharedSource);
        _time.Advance(TimeSpan.FromDays(20));
        await FinishedJobAsync("job-recent", sharedSource);

        Assert.Equal(new RetentionReport(0, 0, 0), await sweep.RunAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(11));
        var fresh = await UploadAsync("up_fresh");
        var report = await sweep.RunAsync(CancellationToken.None);

        // Two jobs of three objects each, and the one source only they used (the shared one is still job-recent's).
        Assert.Equal(new RetentionReport(2, 1, 7), report);
        Assert.Null(await Blobs.GetInfoAsync(oldSource, CancellationToken.None));
        foreach (var job in (string[])["job-old", "job-old2"])
        {
            Assert.Null(await Blobs.GetInfoAsync($"tenants/t1/jobs/{job}/outputs/vertical.mp4", CancellationToken.None));
            Assert.Null(await Blobs.GetInfoAsync($"tenants/t1/jobs/{job}/outputs/parts/analyze-1.json", CancellationToken.None));
            Assert.Null(await _database.Jobs.GetJobAsync(job, CancellationToken.None));
        }

        Assert.NotNull(await Blobs.GetInfoAsync(sharedSource, CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync(fresh, CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync("tenants/t1/jobs/job-recent/outputs/vertical.mp4", CancellationToken.None));
        Assert.NotNull(await _database.Jobs.GetJobAsync("job-recent", CancellationToken.None));
        Assert.Empty(await _database.Retention.ListBlobDeletionsAsync(10, CancellationToken.None));
        Assert.Equal(new RetentionReport(0, 0, 0), await sweep.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_FinishesWhatAnInterruptedPassLeft_FromItsRecord()
    {
        var sweep = new RetentionSweep(_database.Retention, _database.Jobs, Blobs, Options.Create(new RetentionOptions { FinishedJobDays = 1, UnusedUploadHours = 0 }), _time, NullLogger<RetentionSweep>.Instance);
        await FinishedJobAsync("job-cut", await UploadAsync("up_cut"));
        _time.Advance(TimeSpan.FromDays(2));

        // A replica deleted the rows and died before the objects: only the record of what to remove is left.
        var expired = Assert.Single(await _database.Retention.ListExpiredJobsAsync(new RetentionOptions { FinishedJobDays = 1 }.FinishedJobCutoffs(_time.GetUtcNow()), 10, CancellationToken.None));
        Assert.True(await _database.Retention.DeleteJobAsync(expired, _time.GetUtcNow().AddDays(-1), TenantKeys.JobFolder("t1", "job-cut"), CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync("tenants/t1/jobs/job-cut/outputs/vertical.mp4", CancellationToken.None));

        Assert.Equal(new RetentionReport(0, 0, 3), await sweep.RunAsync(CancellationToken.None));
        Assert.Null(await Blobs.GetInfoAsync("tenants/t1/jobs/job-cut/outputs/vertical.mp4", CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync("tenants/t1/uploads/up_cut/clip.mp4", CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_OnADatabaseOfAnEarlierRelease_IndexesWhatItsJobsNameBeforeDeletingAnyUpload()
    {
        var sweep = new RetentionSweep(_database.Retention, _database.Jobs, Blobs, Options.Create(new RetentionOptions { FinishedJobDays = 0, UnusedUploadHours = 1 }), _time, NullLogger<RetentionSweep>.Instance);
        var used = await UploadAsync("up_used");
        await FinishedJobAsync("job-legacy", used);
        var unused = await UploadAsync("up_unused");
        // As a database migrated from a release before references were indexed: every job unindexed, no references.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "jobs.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE jobs SET references_indexed = 0; DELETE FROM job_references;";
            await command.ExecuteNonQueryAsync();
        }

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await _database.Retention.ListUnusedUploadsAsync(new RetentionOptions { UnusedUploadHours = 1 }.UploadCutoffs(_time.GetUtcNow()), 10, CancellationToken.None));

        Assert.Equal(new RetentionReport(0, 1, 1), await sweep.RunAsync(CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync(used, CancellationToken.None));
        Assert.Null(await Blobs.GetInfoAsync(unused, CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_AfterAJobEnds_DeletesWhatRunsLeftInItsRunFolders_NotItsOutputs_NotBeforeTheTime_NotWhileItRunsAgain()
    {
        var sweep = new RetentionSweep(_database.Retention, _database.Jobs, Blobs, Options.Create(new RetentionOptions { FinishedJobDays = 30, UnusedUploadHours = 0 }), _time, NullLogger<RetentionSweep>.Instance);
        var runs = RunKeys.RunsFolder(TenantKeys.JobOutputs("t1", "job-runs"));
        var accepted = $"{runs}/a1-aaaa/vertical.mp4";
        string[] leftovers = [$"{runs}/a1-bbbb/vertical.mp4", $"{runs}/a2-cccc/vertical.plan.json"];
        var part = $"{TenantKeys.JobOutputs("t1", "job-runs")}/parts/render.part00.json";
        foreach (var key in (string[])[accepted, .. leftovers, part])
        {
            await Blobs.PutAsync(key, new MemoryStream([7, 8, 9]), "application/octet-stream", CancellationToken.None);
        }

        var job = await EndedJobAsync("job-runs", accepted, tidyIn: TimeSpan.FromMinutes(5));

        // Not before its time: a run still going when the job ended may yet finish.
        Assert.Equal(new RetentionReport(0, 0, 0), await sweep.RunAsync(CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync(leftovers[0], CancellationToken.None));

        // Running again (a revision) when the time comes: nothing goes, and the entry waits for the next end.
        _time.Advance(TimeSpan.FromMinutes(6));
        var again = new JobChanges(job with { State = JobState.Running, FinishedAt = null });
        await _database.Jobs.CommitAsync(again, CancellationToken.None);
        Assert.Equal(new RetentionReport(0, 0, 0), await sweep.RunAsync(CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync(leftovers[0], CancellationToken.None));

        // Ended again: at the new time, the leftovers go; the record's output and the working copies stay.
        var running = (await _database.Jobs.GetJobAsync("job-runs", CancellationToken.None))!;
        var ended = new JobChanges(running with { State = JobState.Succeeded, FinishedAt = _time.GetUtcNow() }) { TidyRunsAt = _time.GetUtcNow().AddMinutes(5) };
        await _database.Jobs.CommitAsync(ended, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(new RetentionReport(0, 0, 0, Leftovers: 2), await sweep.RunAsync(CancellationToken.None));
        Assert.All(leftovers, key => Assert.Null(Blobs.GetInfoAsync(key, CancellationToken.None).GetAwaiter().GetResult()));
        Assert.NotNull(await Blobs.GetInfoAsync(accepted, CancellationToken.None));
        Assert.NotNull(await Blobs.GetInfoAsync(part, CancellationToken.None));

        // Done once: the next pass has nothing to look at.
        await Blobs.PutAsync(leftovers[0], new MemoryStream([1]), "application/octet-stream", CancellationToken.None);
        Assert.Equal(new RetentionReport(0, 0, 0), await sweep.RunAsync(CancellationToken.None));
    }

    private async Task<JobRecord> EndedJobAsync(string id, string outputKey, TimeSpan tidyIn)
    {
        var now = _time.GetUtcNow();
        var changes = new JobChanges(new JobRecord
        {
            Id = id,
            Tenant = "t1",
            PatternName = "reframe-vertical",
            PatternDocument = "doc",
            SourceKey = "tenants/t1/uploads/up_x/clip.mp4",
            State = JobState.Succeeded,
            CreatedAt = now,
            UpdatedAt = now,
            FinishedAt = now,
        }, isNew: true) { TidyRunsAt = now + tidyIn };
        changes.Outputs.Add(new Output { Name = "vertical.mp4", Key = outputKey });
        await _database.Jobs.CommitAsync(changes, CancellationToken.None);
        return (await _database.Jobs.GetJobAsync(id, CancellationToken.None))!;
    }

    private async Task<string> UploadAsync(string id)
    {
        var key = TenantKeys.Upload("t1", id, "clip.mp4");
        await Blobs.PutAsync(key, new MemoryStream([1, 2, 3]), "video/mp4", CancellationToken.None);
        await _database.Uploads.CreateUploadAsync(new UploadRecord(id, "t1", key, "clip.mp4", "video/mp4", 3, "00", _time.GetUtcNow()), CancellationToken.None);
        return key;
    }

    /// <summary>A job that finished now, with an output, a revision's plan and an analysis part in its folder.</summary>
    private async Task FinishedJobAsync(string id, string source)
    {
        var now = _time.GetUtcNow();
        var outputs = TenantKeys.JobOutputs("t1", id);
        foreach (var key in (string[])[$"{outputs}/vertical.mp4", $"{outputs}/parts/analyze-1.json", $"{TenantKeys.JobRevisions("t1", id)}/vertical-1.plan.json"])
        {
            await Blobs.PutAsync(key, new MemoryStream([4, 5, 6]), "application/octet-stream", CancellationToken.None);
        }

        var changes = new JobChanges(new JobRecord
        {
            Id = id,
            Tenant = "t1",
            PatternName = "reframe-vertical",
            PatternDocument = "doc",
            SourceKey = source,
            State = JobState.Succeeded,
            CreatedAt = now,
            UpdatedAt = now,
            FinishedAt = now,
        }, isNew: true);
        changes.Outputs.Add(new Output { Name = "vertical.mp4", Key = $"{outputs}/vertical.mp4" });
        changes.Events.Add(new JobEvent { StateChanged = new JobStateChanged { State = JobState.Succeeded } });
        await _database.Jobs.CommitAsync(changes, CancellationToken.None);
    }
}

public sealed class FolderRetentionSweepTests : RetentionSweepTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "media-retention-blobs-" + Guid.NewGuid().ToString("N"));

    public FolderRetentionSweepTests() => Blobs = new FolderBlobStore(Options.Create(new FolderBlobStoreOptions { Root = _root }), TimeProvider.System);

    protected override IBlobStore Blobs { get; }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

[Collection(S3Collection.Name)]
public sealed class S3RetentionSweepTests(S3Server server) : RetentionSweepTests, IDisposable
{
    private readonly S3BlobStore _blobs = new(
        Options.Create(new S3BlobStoreOptions
        {
            Bucket = S3Server.Bucket,
            Prefix = $"retention-{Guid.NewGuid():N}/",
            ServiceUrl = server.ServiceUrl,
            ForcePathStyle = true,
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
        }),
        TimeProvider.System);

    protected override IBlobStore Blobs => _blobs;

    public void Dispose() => _blobs.Dispose();
}
