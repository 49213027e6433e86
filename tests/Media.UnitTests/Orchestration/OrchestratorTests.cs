using Media.JobApi;
using Media.JobApi.Errors;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

public sealed class OrchestratorTests
{
    [Fact]
    public async Task SubmitAsync_ValidRequest_QueuesJobAndDispatchesProbeUnderLease()
    {
        await using var h = new OrchestratorHarness();

        var job = await h.SubmitAsync(r => r.Parameters.Add("title", "Hello"));

        Assert.Equal(JobState.Queued, job.State);
        var dispatch = await h.NextDispatchAsync();
        Assert.Equal((StageKind.Probe, 1, job.Id), (dispatch.Kind, dispatch.Attempt, dispatch.JobId));
        var probe = await h.StageAsync(dispatch.StageId);
        Assert.Equal(StageState.Dispatched, probe.State);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(30), probe.LeaseExpiresAt);
        var stages = await h.Database.Jobs.GetStagesAsync(job.Id, CancellationToken.None);
        Assert.Equal([StageKind.Probe, StageKind.Render, StageKind.Thumbnail], stages.Select(s => s.Kind));
        Assert.All(stages.Skip(1), s => Assert.Equal([dispatch.StageId], s.DependsOn));
        Assert.All(stages.Skip(1), s => Assert.Equal(StageState.Waiting, s.State));
    }

    [Fact]
    public async Task HandleStageEventAsync_FullRun_AdvancesGraphAndSucceedsWithOutputs()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();

        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Started = new StageStarted());
        Assert.Equal(JobState.Running, (await h.JobAsync(job.Id)).State);
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });

        var render = await h.NextDispatchAsync();
        var thumbnail = await h.NextDispatchAsync();
        Assert.Equal((StageKind.Render, StageKind.Thumbnail), (render.Kind, thumbnail.Kind));
        Assert.Equal(1280, render.SourceInfo.Width);
        Assert.Equal($"tenants/default/jobs/{job.Id}/outputs", render.OutputPrefix);
        await h.SendAsync(render, e => e.Progress = new StageProgress { Fraction = 0.5 });
        Assert.Equal(0.5, (await h.StageAsync(render.StageId)).Progress);
        await h.SendAsync(thumbnail, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "thumbnail-vertical-cover-1.jpg", Kind = OutputKind.Thumbnail, Key = "jobs/x/t.jpg" } } });
        Assert.Equal(JobState.Running, (await h.JobAsync(job.Id)).State);
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "vertical.mp4", Kind = OutputKind.Video, Key = "jobs/x/vertical.mp4" } } });

        var done = await h.JobAsync(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(1, done.Progress);
        var events = await h.Database.Jobs.GetEventsAsync(job.Id, 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var result = Assert.Single(events, e => e.EventCase == JobEvent.EventOneofCase.Result);
        Assert.Equal(["thumbnail-vertical-cover-1.jpg", "vertical.mp4"], result.Result.Outputs.Select(o => o.Name));
        Assert.Equal(JobState.Succeeded, events[^1].StateChanged.State);
    }

    [Fact]
    public async Task HandleStageEventAsync_RunsInTheirOwnFolders_TheRecordedAnalysisIsDispatched_AStaleRunsOutputsAreDeleted()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync(r => r.InlinePattern = OrchestratorHarness.CentreCrop.Replace("mode: center", "mode: face", StringComparison.Ordinal));
        var runs = RunKeys.RunsFolder($"tenants/default/jobs/{job.Id}/outputs");
        async Task<Output> StoredAsync(string run, string name)
        {
            var stored = await h.Blobs.PutAsync($"{runs}/{run}/{name}", new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None);
            return new Output { Name = name, Kind = OutputKind.Video, Key = stored.Key, Sha256 = stored.Sha256 };
        }

        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var dispatched = new[] { await h.NextDispatchAsync(), await h.NextDispatchAsync() };
        var analyze = dispatched.Single(d => d.Kind == StageKind.Analyze);
        await h.SendAsync(analyze, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "analysis.json", Kind = OutputKind.Analysis, Key = $"{runs}/a1-analysis/analysis.json" } } });

        // The render reads the analysis the record holds: only the record knows which run's it is.
        var render = await h.NextDispatchAsync();
        Assert.Equal((StageKind.Render, $"{runs}/a1-analysis/analysis.json"), (render.Kind, render.AnalysisKey));

        var accepted = await StoredAsync("a1-first", "vertical.mp4");
        var late = await StoredAsync("a1-second", "vertical.mp4");
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { accepted } });

        // The same completion delivered again names the record's object: kept. A second run of the same attempt (a
        // redelivered dispatch) finishing afterwards is stale: its object goes.
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { accepted } });
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { late } });

        Assert.Equal(accepted.Key, (await h.Database.Jobs.GetOutputsAsync(job.Id, CancellationToken.None)).Single(o => o.Name == "vertical.mp4").Key);
        Assert.NotNull(await h.Blobs.GetInfoAsync(accepted.Key, CancellationToken.None));
        Assert.Null(await h.Blobs.GetInfoAsync(late.Key, CancellationToken.None));

        // A third run still going after the job ended is told to stop (that stage, up to that attempt), and the leftover
        // sweep of the job is scheduled again from now: the stopped run may have uploaded something.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.SendAsync(render, e => e.Progress = new StageProgress { Fraction = 0.4 });
        var stop = (await h.NextControlAsync()).StopRun;
        Assert.Equal((job.Id, render.StageId, 1), (stop.JobId, stop.StageId, stop.UpToAttempt));
        var tidy = Assert.Single(await h.Database.Retention.ListDueRunTidiesAsync(h.Time.GetUtcNow().AddDays(1), 10, CancellationToken.None));
        Assert.Equal((job.Id, h.Time.GetUtcNow().AddSeconds(h.Options.RunLeftoverSeconds)), (tidy.JobId, tidy.DueAt));
    }

    [Fact]
    public async Task HandleStageEventAsync_EventFromOlderAttempt_IsIgnored()
    {
        await using var h = new OrchestratorHarness();
        await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Started = new StageStarted());
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        var retry = await h.NextDispatchAsync();

        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });

        var stage = await h.StageAsync(probe.StageId);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal(StageState.Dispatched, stage.State);
        Assert.False(await h.HasPendingDispatchAsync());
    }

    [Fact]
    public async Task SweepAsync_LeaseExpired_RedispatchesWithNextAttempt()
    {
        await using var h = new OrchestratorHarness();
        await h.SubmitAsync();
        var first = await h.NextDispatchAsync();
        await h.SendAsync(first, e => e.Started = new StageStarted());

        h.Time.Advance(TimeSpan.FromSeconds(29));
        await h.SendAsync(first, e => e.Progress = new StageProgress { Fraction = 0.2 });
        h.Time.Advance(TimeSpan.FromSeconds(29));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        Assert.False(await h.HasPendingDispatchAsync());

        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Orchestrator.SweepAsync(CancellationToken.None);

        var second = await h.NextDispatchAsync();
        Assert.Equal((first.StageId, 2), (second.StageId, second.Attempt));
        Assert.Equal(1, (await h.StageAsync(first.StageId)).Failures);
    }

    [Fact]
    public async Task SweepAsync_StageStillQueued_WaitsWithoutFailureOrDuplicate()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var queued = await h.NextDispatchAsync();

        for (var i = 0; i < 20; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(31));
            await h.Orchestrator.SweepAsync(CancellationToken.None);
        }

        var stage = await h.StageAsync(queued.StageId);
        Assert.Equal((StageState.Dispatched, 1, 0), (stage.State, stage.Attempt, stage.Failures));
        Assert.False(await h.HasPendingDispatchAsync());
        Assert.Equal(JobState.Queued, (await h.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task HandleStageEventAsync_WorkerStopping_RedispatchesAtOnceWithoutCountingFailure()
    {
        await using var h = new OrchestratorHarness();
        await h.SubmitAsync();
        var first = await h.NextDispatchAsync();
        await h.SendAsync(first, e => e.Started = new StageStarted());

        await h.SendAsync(first, e => e.Failed = new StageFailed { Error = new JobError { Code = StageErrorCodes.WorkerStopping, Retryable = true } });

        var again = await h.NextDispatchAsync();
        Assert.Equal((first.StageId, 2), (again.StageId, again.Attempt));
        Assert.Equal(0, (await h.StageAsync(first.StageId)).Failures);
    }

    [Fact]
    public async Task HandleStageEventAsync_RetryableFailure_WaitsForBackoffThenRetries()
    {
        await using var h = new OrchestratorHarness();
        await h.SubmitAsync();
        var first = await h.NextDispatchAsync();

        await h.SendAsync(first, e => e.Failed = new StageFailed { Error = new JobError { Code = "io", Message = "disk hiccup", Retryable = true } });

        var waiting = await h.StageAsync(first.StageId);
        Assert.Equal(StageState.Waiting, waiting.State);
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        Assert.False(await h.HasPendingDispatchAsync());
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        var retry = await h.NextDispatchAsync();
        Assert.Equal(2, retry.Attempt);
    }

    [Fact]
    public async Task HandleStageEventAsync_PermanentFailure_FailsJobKeepsToolTailCancelsRest()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();

        await h.SendAsync(probe, e => e.Failed = new StageFailed
        {
            Error = new JobError { Code = "invalid_media", Message = "not media", ToolStderrTail = "moov atom not found", Retryable = false },
        });

        var failed = await h.JobAsync(job.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal("invalid_media", failed.Error!.Code);
        Assert.Equal("moov atom not found", failed.Error.ToolStderrTail);
        var stages = await h.Database.Jobs.GetStagesAsync(job.Id, CancellationToken.None);
        Assert.Equal([StageState.Failed, StageState.Cancelled, StageState.Cancelled], stages.Select(s => s.State));
        Assert.Equal(job.Id, (await h.NextControlAsync()).Cancel.JobId);
    }

    [Fact]
    public async Task HandleStageEventAsync_RetryableFailuresExhausted_FailsJob()
    {
        await using var h = new OrchestratorHarness(new JobApiOptions { MaxAttempts = 2, RetryBaseDelayMilliseconds = 0 });
        var job = await h.SubmitAsync();
        var error = new JobError { Code = "io", Message = "flaky", Retryable = true };

        var first = await h.NextDispatchAsync();
        await h.SendAsync(first, e => e.Failed = new StageFailed { Error = error });
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        var second = await h.NextDispatchAsync();
        await h.SendAsync(second, e => e.Failed = new StageFailed { Error = error });

        var failed = await h.JobAsync(job.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.True(failed.Error!.Retryable);
    }

    [Fact]
    public async Task CancelAsync_RunningJob_CancelsStagesAndTellsWorkers()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Started = new StageStarted());

        var cancelled = await h.Orchestrator.CancelAsync(job.Id, "default", CancellationToken.None);

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(job.Id, (await h.NextControlAsync()).Cancel.JobId);
        Assert.All(await h.Database.Jobs.GetStagesAsync(job.Id, CancellationToken.None), s => Assert.Equal(StageState.Cancelled, s.State));
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        Assert.Equal(JobState.Cancelled, (await h.JobAsync(job.Id)).State);
        Assert.Equal(JobState.Cancelled, (await h.Orchestrator.CancelAsync(job.Id, "default", CancellationToken.None)).State);
    }

    [Fact]
    public async Task CancelAsync_FinishedOrForeignJob_Refused()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Failed = new StageFailed { Error = new JobError { Code = "invalid_media", Retryable = false } });

        await Assert.ThrowsAsync<PreconditionFailedException>(() => h.Orchestrator.CancelAsync(job.Id, "default", CancellationToken.None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Orchestrator.CancelAsync(job.Id, "other-tenant", CancellationToken.None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Orchestrator.CancelAsync("job_nope", "default", CancellationToken.None));
    }

    [Fact]
    public async Task SubmitAsync_SameIdempotencyKey_ReturnsSameJobOrConflicts()
    {
        await using var h = new OrchestratorHarness();
        var upload = await h.CreateUploadAsync();
        SubmitJobRequest Request(string title)
        {
            var r = new SubmitJobRequest { Source = new Source { UploadId = upload }, PatternName = "reframe-vertical", IdempotencyKey = "batch-7/clip-1" };
            r.Parameters.Add("title", title);
            return r;
        }

        var first = await h.Orchestrator.SubmitAsync(Request("a"), "default", CancellationToken.None);
        var again = await h.Orchestrator.SubmitAsync(Request("a"), "default", CancellationToken.None);
        var reuploaded = Request("a");
        reuploaded.Source.UploadId = await h.CreateUploadAsync();

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Id, (await h.Orchestrator.SubmitAsync(reuploaded, "default", CancellationToken.None)).Id);
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => h.Orchestrator.SubmitAsync(Request("b"), "default", CancellationToken.None));
        // Said in structure too (ErrorInfo + ResourceInfo on the wire): the reason, the key and the job that holds it.
        Assert.Equal(("IDEMPOTENCY_KEY_REUSED", "job", "batch-7/clip-1"), (conflict.Reason, conflict.ResourceType, conflict.Metadata["idempotency_key"]));
        Assert.Equal(conflict.ResourceName, conflict.Metadata["job_id"]);
        await h.NextDispatchAsync();
        Assert.False(await h.HasPendingDispatchAsync());
    }

    [Fact]
    public async Task RecoverAsync_AfterRestart_RedispatchesInFlightStagesWithoutCountingFailure()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var render = await h.NextDispatchAsync();
        var thumbnails = await h.NextDispatchAsync();
        await h.SendAsync(render, e => e.Started = new StageStarted());
        await h.SendAsync(thumbnails, e => e.Completed = new StageCompleted());

        var restarted = h.NewOrchestrator();
        await restarted.RecoverAsync(CancellationToken.None);

        var again = await h.NextDispatchAsync();
        Assert.Equal((render.StageId, 2), (again.StageId, again.Attempt));
        Assert.Equal(0, (await h.StageAsync(render.StageId)).Failures);
        Assert.False(await h.HasPendingDispatchAsync());
        restarted.Dispose();
    }

    [Fact]
    public async Task SubmitAsync_BadRequest_ReportsEveryFieldAtOnce()
    {
        await using var h = new OrchestratorHarness();
        await h.Database.MigrateAsync(CancellationToken.None);
        var request = new SubmitJobRequest { PatternName = "no-such-pattern", WebhookUrl = "ftp://x", Priority = (Priority)42 };
        request.Parameters.Add("bad key!", "v");
        request.Labels.Add("ok", new string('x', 200));

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => h.Orchestrator.SubmitAsync(request, "default", CancellationToken.None));

        var fields = ex.Violations.Select(v => v.Field).ToHashSet();
        Assert.Equal(["labels[ok]", "parameters[bad key!]", "pattern_name", "priority", "source", "webhook_url"], fields.Order());
        Assert.False(await h.HasPendingDispatchAsync());
    }

    [Fact]
    public async Task SubmitAsync_UnknownUploadOrBlob_NamesTheSourceField()
    {
        await using var h = new OrchestratorHarness();
        await h.Database.MigrateAsync(CancellationToken.None);

        var upload = await Assert.ThrowsAsync<RequestValidationException>(() => h.Orchestrator.SubmitAsync(
            new SubmitJobRequest { Source = new Source { UploadId = "up_missing" }, PatternName = "reframe-vertical" }, "default", CancellationToken.None));
        var uri = await Assert.ThrowsAsync<RequestValidationException>(() => h.Orchestrator.SubmitAsync(
            new SubmitJobRequest { Source = new Source { Uri = "blob:../../etc/passwd" }, PatternName = "reframe-vertical" }, "default", CancellationToken.None));

        Assert.Equal("source.upload_id", Assert.Single(upload.Violations).Field);
        Assert.Equal("source.uri", Assert.Single(uri.Violations).Field);
    }

    [Fact]
    public async Task SubmitAsync_InvalidInlinePattern_ReportsPathsInsideThePattern()
    {
        await using var h = new OrchestratorHarness();
        var upload = await h.CreateUploadAsync();

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => h.Orchestrator.SubmitAsync(
            new SubmitJobRequest { Source = new Source { UploadId = upload }, InlinePattern = "apiVersion: media.farm/v1\nname: x\noutputs:\n  - name: v\n    preset: vhs\n" },
            "default",
            CancellationToken.None));

        Assert.Equal("inline_pattern.outputs[0].preset", Assert.Single(ex.Violations).Field);
    }
}
