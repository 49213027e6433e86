using Media.JobApi;
using Media.JobApi.Errors;
using Media.Platform.Bus;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

/// <summary>Transient failures that outlast every retry dead-letter the job; RetryJob runs it again from where it failed.</summary>
public sealed class DeadLetterTests
{
    private static readonly JobError Transient = new() { Code = "tool_failed", Message = "ffmpeg was killed", ToolStderrTail = "Killed\n", Retryable = true };

    [Fact]
    public async Task RetriesExhausted_JobIsDeadLetteredWithTheErrorAndStderrTail()
    {
        await using var h = new OrchestratorHarness(new JobApiOptions { MaxAttempts = 2, RetryBaseDelayMilliseconds = 0 });
        await using var letters = h.Bus.Subscribe("dlq-test", [new TopicWeight(Topics.DeadLetter)]);
        var job = await h.SubmitAsync();

        await h.SendAsync(await h.NextDispatchAsync(), e => e.Failed = new StageFailed { Error = Transient });
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        await h.SendAsync(await h.NextDispatchAsync(), e => e.Failed = new StageFailed { Error = Transient });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var letter = DeadLetter.Parser.ParseFrom((await letters.ReceiveAsync(timeout.Token)).Message.Payload.Span);
        Assert.Equal((job.Id, "default", StageKind.Probe, 2), (letter.JobId, letter.Tenant, letter.Kind, letter.Failures));
        Assert.Equal(("tool_failed", "Killed\n"), (letter.Error.Code, letter.Error.ToolStderrTail));
        var failed = await h.JobAsync(job.Id);
        Assert.True(Media.JobApi.Services.JobMapper.ToProto(failed, [], []).DeadLettered);
    }

    [Fact]
    public async Task PermanentFailure_FailsAtOnceWithoutDeadLetter()
    {
        await using var h = new OrchestratorHarness();
        await using var letters = h.Bus.Subscribe("dlq-test", [new TopicWeight(Topics.DeadLetter)]);
        var job = await h.SubmitAsync();

        await h.SendAsync(await h.NextDispatchAsync(), e => e.Failed = new StageFailed { Error = new JobError { Code = "invalid_media", Retryable = false } });

        var failed = await h.JobAsync(job.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.False(Media.JobApi.Services.JobMapper.ToProto(failed, [], []).DeadLettered);
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await letters.ReceiveAsync(quiet.Token));
    }

    [Fact]
    public async Task Retry_RerunsOnlyWhatFailed_KeepsAttemptNumbersAndSucceeds()
    {
        await using var h = new OrchestratorHarness(new JobApiOptions { MaxAttempts = 1, RetryBaseDelayMilliseconds = 0 });
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var next = new[] { await h.NextDispatchAsync(), await h.NextDispatchAsync() };
        var render = next.Single(d => d.Kind == StageKind.Render);
        var thumbnail = next.Single(d => d.Kind == StageKind.Thumbnail);
        await h.SendAsync(render, e => e.Failed = new StageFailed { Error = Transient });
        Assert.Equal(JobState.Failed, (await h.JobAsync(job.Id)).State);

        var retried = await h.Orchestrator.RetryAsync(job.Id, "default", CancellationToken.None);

        Assert.Equal((JobState.Queued, null), (retried.State, retried.Error));
        var again = new[] { await h.NextDispatchAsync(), await h.NextDispatchAsync() };
        Assert.False(await h.HasPendingDispatchAsync());
        Assert.Equal([StageKind.Render, StageKind.Thumbnail], again.Select(d => d.Kind).Order());
        Assert.Equal(render.Attempt + 1, again.Single(d => d.Kind == StageKind.Render).Attempt);
        Assert.Equal(StageState.Succeeded, (await h.StageAsync(probe.StageId)).State);

        // A late event of the failed attempt changes nothing; the new attempts finish the job.
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "stale.mp4", Kind = OutputKind.Video, Key = "k" } } });
        Assert.Equal(JobState.Queued, (await h.JobAsync(job.Id)).State);
        foreach (var dispatch in again)
        {
            var name = dispatch.Kind == StageKind.Render ? "vertical.mp4" : "thumbnail-vertical-cover-1.jpg";
            await h.SendAsync(dispatch, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = name, Kind = dispatch.Kind == StageKind.Render ? OutputKind.Video : OutputKind.Thumbnail, Key = "k/" + name } } });
        }

        var done = await h.JobAsync(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.DoesNotContain(await h.Database.Jobs.GetOutputsAsync(job.Id, CancellationToken.None), o => o.Name == "stale.mp4");
        Assert.NotEqual(thumbnail.Attempt, again.Single(d => d.Kind == StageKind.Thumbnail).Attempt);
    }

    [Fact]
    public async Task Retry_UnfinishedSucceededOrForeignJob_Refused()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();

        var running = await Assert.ThrowsAsync<PreconditionFailedException>(() => h.Orchestrator.RetryAsync(job.Id, "default", CancellationToken.None));
        Assert.Contains("only FAILED jobs", running.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Orchestrator.RetryAsync(job.Id, "other-tenant", CancellationToken.None));
    }
}
