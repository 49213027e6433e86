using Media.Platform.Bus;
using Media.Platform.Storage;
using Media.Protos.V1;
using Media.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>
/// A stage's dispatch delivered again after the stage succeeded (what Kafka does when a worker dies before committing
/// it): the second run is told to stop, or its outputs are discarded if it finishes first. Either way the job's record
/// and its objects are the first run's, and storage holds nothing else.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class StaleRunTests(TestMedia media) : IAsyncLifetime
{
    private const string CentreCrop = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: centre-crop
        outputs: [{ name: vertical, preset: tiktok }]
        steps:
          - reframe: { mode: center }
        """;

    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task DispatchDeliveredAgain_AfterTheStageSucceeded_TheRecordKeepsTheFirstRun_StorageHoldsNothingElse()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var bus = _farm.Services.GetRequiredService<IMessageBus>();
        var blobs = _farm.Services.GetRequiredService<IBlobStore>();
        var worker = _farm.Services.GetRequiredService<StageWorker>();
        await using var spy = bus.Subscribe("stale-run-spy", Topics.StageTopics(Topics.CpuPool));

        var upload = await _farm.Client.UploadFileAsync(media.Long, null, timeout.Token);
        var submitted = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, InlinePattern = CentreCrop }, cancellationToken: timeout.Token);
        var job = await _farm.Client.WaitAsync(submitted.Id, null, timeout.Token);
        Assert.Equal(JobState.Succeeded, job.State);
        var recorded = job.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        Assert.All(recorded, key => Assert.True(RunKeys.IsRunOutput(TenantKeys.JobOutputs("default", job.Id), key), key));

        BusMessage render;
        while (true)
        {
            var delivery = await spy.ReceiveAsync(timeout.Token);
            if (StageDispatch.Parser.ParseFrom(delivery.Message.Payload.Span) is { Kind: StageKind.Render } dispatch && dispatch.JobId == job.Id)
            {
                render = delivery.Message;
                break;
            }
        }

        // The same dispatch again: a worker takes it, reports it started, and is told the job no longer needs it.
        var stageId = StageDispatch.Parser.ParseFrom(render.Payload.Span).StageId;
        await bus.PublishAsync(render, timeout.Token);
        while (!worker.DescribeRunning().Any(s => s.StageId == stageId))
        {
            await Task.Delay(10, timeout.Token);
        }

        while (worker.DescribeRunning().Any(s => s.StageId == stageId))
        {
            await Task.Delay(50, timeout.Token);
        }

        var again = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, cancellationToken: timeout.Token);
        Assert.Equal(JobState.Succeeded, again.State);
        Assert.Equal(recorded, again.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        IReadOnlyList<string> stored;
        while (true)
        {
            // A run that finished before the stop arrived has its objects deleted as its completion is ignored.
            stored = [.. (await blobs.ListAsync(TenantKeys.JobOutputs("default", job.Id), timeout.Token)).Order(StringComparer.Ordinal)];
            if (stored.SequenceEqual(recorded) || timeout.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        Assert.Equal(recorded, stored);
    }
}
