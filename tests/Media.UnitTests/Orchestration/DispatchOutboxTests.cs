using Media.Platform.Bus;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

/// <summary>
/// A replica killed between the commit that dispatches a stage and the publish (found by media bench-chaos: the stage
/// stayed dispatched forever, its lease only renewed, waiting for a message that never reached the bus).
/// </summary>
public sealed class DispatchOutboxTests
{
    [Fact]
    public async Task ReplicaDiesBetweenCommitAndPublish_AnotherReplicasSweepPublishesTheDispatchAgain()
    {
        await using var h = new OrchestratorHarness();
        var dying = new NeverConfirmingBus();
        using var victim = h.NewOrchestrator(dying);

        // The victim commits the job and its probe's dispatch, then "dies" inside the publish: it never returns.
        var submitting = victim.SubmitAsync(new SubmitJobRequest { Source = new Source { UploadId = await h.CreateUploadAsync() }, InlinePattern = OrchestratorHarness.CentreCrop }, Media.JobApi.Store.TenantIds.Default, CancellationToken.None);
        await dying.PublishStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var probe = (await h.Database.Queries.GetActiveStagesAsync(CancellationToken.None)).Single();
        Assert.Equal((StageState.Dispatched, 1), (probe.State, probe.Attempt));

        // Past the lease: a dispatched stage is only renewed (it may be waiting in line), so nothing goes out yet.
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        Assert.False(await h.HasPendingDispatchAsync());

        // Past UnpublishedDispatchSeconds: the outbox record says the bus never confirmed it; another replica publishes it.
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.UnpublishedDispatchSeconds));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        var dispatch = await h.NextDispatchAsync();
        Assert.Equal((probe.Id, 1, StageKind.Probe), (dispatch.StageId, dispatch.Attempt, dispatch.Kind));

        // Confirmed now: forgotten, not published a third time.
        Assert.Empty(await h.Database.Queries.GetUnpublishedDispatchesAsync(h.Time.GetUtcNow().AddDays(1), 10, CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.UnpublishedDispatchSeconds + 1));
        await h.Orchestrator.SweepAsync(CancellationToken.None);
        Assert.False(await h.HasPendingDispatchAsync());

        // The victim never comes back from its publish (a killed process does not), so its submission never answers.
        Assert.False(submitting.IsCompleted);
    }

    [Fact]
    public async Task ConfirmedDispatches_LeaveNoOutboxRecord()
    {
        await using var h = new OrchestratorHarness();
        await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        await h.NextDispatchAsync();
        await h.NextDispatchAsync();

        Assert.Empty(await h.Database.Queries.GetUnpublishedDispatchesAsync(h.Time.GetUtcNow().AddDays(1), 10, CancellationToken.None));
    }

    /// <summary>A bus whose publish never returns: the publisher dies mid-publish.</summary>
    private sealed class NeverConfirmingBus : IMessageBus
    {
        public TaskCompletionSource PublishStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsDurable => true;

        public async ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken)
        {
            PublishStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        public IBusSubscription Subscribe(string group, IReadOnlyList<TopicWeight> topics, bool onlyNewMessages = false) => throw new NotSupportedException();
    }
}
