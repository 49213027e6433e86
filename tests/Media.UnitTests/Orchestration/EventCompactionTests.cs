using Media.JobApi;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

/// <summary>A busy farm's event log stays bounded: a stage's heartbeats are compacted to the last one when it ends.</summary>
public sealed class EventCompactionTests
{
    [Fact]
    public async Task ThousandJobs_HeartbeatsEvery100ms_LeaveTheSameRowsPerJobHowEverManyHeartbeats()
    {
        const int Jobs = 1000;
        await using var h = new OrchestratorHarness(quotas: new QuotaOptions { MaxRunningJobsPerTenant = Jobs });
        var random = new Random(15);
        var heartbeats = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Jobs; i++)
        {
            var job = await h.SubmitAsync();
            var beats = random.Next(1, 41);
            heartbeats[job.Id] = beats;
            await RunAsync(h, beats);
        }

        var rowsPerJob = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (jobId, beats) in heartbeats)
        {
            var events = await h.Database.Jobs.GetEventsAsync(jobId, 0, 10_000, CancellationToken.None);
            Assert.Equal(JobState.Succeeded, (await h.JobAsync(jobId)).State);
            // The last heartbeat of each of the three stages stays, with every state change and the result.
            Assert.All(events.Where(e => e.Progress is not null).GroupBy(e => e.Progress.StageId), g => Assert.Single(g));
            Assert.Equal(3, events.Count(e => e.Progress is not null));
            Assert.Single(events, e => e.Result is not null);
            Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "sequences stay in order");
            Assert.Equal((await h.JobAsync(jobId)).LastSequence, events[^1].Sequence);
            rowsPerJob[jobId] = events.Count;
        }

        // Every job keeps the same rows whether its stages beat once or forty times: 1,000 jobs, a bounded log.
        Assert.Single(rowsPerJob.Values.Distinct());
        Assert.Equal(rowsPerJob.Values.First() * Jobs, rowsPerJob.Values.Sum());
        Assert.Contains(heartbeats.Values, b => b == 1);
        Assert.Contains(heartbeats.Values, b => b == 40);
    }

    [Fact]
    public async Task RunningStage_KeepsItsHeartbeatsUntilItEnds_ThenOnlyTheLast()
    {
        await using var h = new OrchestratorHarness();
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Started = new StageStarted());
        for (var i = 1; i <= 5; i++)
        {
            await h.SendAsync(probe, e => e.Progress = new StageProgress { Fraction = i / 10.0 });
        }

        var running = await h.Database.Jobs.GetEventsAsync(job.Id, 0, 100, CancellationToken.None);
        Assert.Equal(5, running.Count(e => e.Progress is not null));

        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var ended = await h.Database.Jobs.GetEventsAsync(job.Id, 0, 100, CancellationToken.None);
        var last = Assert.Single(ended, e => e.Progress is not null);
        Assert.Equal(0.5, last.Progress.StageProgress, 3);
        Assert.Equal(running.Single(e => e.Progress?.StageProgress == 0.5).Sequence, last.Sequence);
        // Nothing else was touched: every other event of the running stage is still there, under its own number.
        Assert.Equal(running.Where(e => e.Progress is null).Select(e => e.Sequence), ended.Where(e => e.Progress is null && e.Sequence <= running[^1].Sequence).Select(e => e.Sequence));
    }

    private static async Task RunAsync(OrchestratorHarness h, int heartbeats)
    {
        var probe = await h.NextDispatchAsync();
        await BeatAsync(h, probe, heartbeats);
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var render = await h.NextDispatchAsync();
        var thumbnail = await h.NextDispatchAsync();
        await BeatAsync(h, render, heartbeats);
        await BeatAsync(h, thumbnail, heartbeats);
        await h.SendAsync(thumbnail, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "cover.jpg", Kind = OutputKind.Thumbnail, Key = "k/cover.jpg" } } });
        await h.SendAsync(render, e => e.Completed = new StageCompleted { Outputs = { new Output { Name = "vertical.mp4", Kind = OutputKind.Video, Key = "k/vertical.mp4" } } });
    }

    private static async Task BeatAsync(OrchestratorHarness h, StageDispatch dispatch, int heartbeats)
    {
        await h.SendAsync(dispatch, e => e.Started = new StageStarted());
        for (var i = 1; i <= heartbeats; i++)
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
            await h.SendAsync(dispatch, e => e.Progress = new StageProgress { Fraction = i / (heartbeats + 1.0), Speed = 2 });
        }
    }
}
