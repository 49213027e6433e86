using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>The Media.Client helpers against a real farm: submit-and-wait, watching as an async stream, resuming from a sequence.</summary>
[Collection(MediaCollection.Name)]
public sealed class ClientLibraryTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task SubmitAndWait_ThenWatchFromASequence_YieldsEachLaterEventOnceInOrder()
    {
        using var client = new FarmClient(_farm.Client.Address);
        var upload = await client.UploadFileAsync(media.Silent, null, CancellationToken.None);
        var seen = new List<JobEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var job = await client.SubmitAndWaitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "client-lib-1" }, seen.Add, timeout.Token);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Select(e => e.Sequence));
        Assert.Equal(JobState.Succeeded, seen.Last(e => e.StateChanged is not null).StateChanged.State);
        Assert.Equal(job.LastSequence, seen[^1].Sequence);

        var middle = seen[seen.Count / 2].Sequence;
        var replayed = new List<JobEvent>();
        await foreach (var jobEvent in client.WatchAsync(job.Id, middle, timeout.Token))
        {
            replayed.Add(jobEvent);
        }

        Assert.Equal(seen.Where(e => e.Sequence > middle).Select(e => e.Sequence), replayed.Select(e => e.Sequence));
        var again = await client.SubmitAndWaitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "client-lib-1" }, null, timeout.Token);
        Assert.Equal(job.Id, again.Id);
    }
}
