using Google.Protobuf;
using Media.JobApi.Farm;
using Media.Platform.Bus;
using Media.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Media.UnitTests.Farm;

public sealed class WorkerDirectoryTests
{
    private readonly InProcessBus _bus = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Workers_AppearWhenHeard_LeaveWhenStoppingOrSilentForThreeIntervals()
    {
        using var directory = new WorkerDirectory(_bus, _time, NullLogger<WorkerDirectory>.Instance);
        await directory.StartAsync(CancellationToken.None);

        await AnnounceAsync("w-b", "gpu", stopping: false);
        await AnnounceAsync("w-a", "cpu", stopping: false);
        await AnnounceAsync("w-c", "cpu", stopping: false);
        var all = await WaitForAsync(directory, 3);
        await AnnounceAsync("w-c", "cpu", stopping: true);
        var afterGoodbye = await WaitForAsync(directory, 2);

        _time.Advance(TimeSpan.FromSeconds(14));
        await AnnounceAsync("w-a", "cpu", stopping: false);
        await WaitUntilHeardAsync(directory, "w-a");
        _time.Advance(TimeSpan.FromSeconds(2));
        var afterSilence = directory.Current();
        await directory.StopAsync(CancellationToken.None);

        Assert.Equal(["w-a", "w-c", "w-b"], all.Select(w => w.WorkerId));
        Assert.Equal(["w-a", "w-b"], afterGoodbye.Select(w => w.WorkerId));
        // w-b announces every 5 s and has been silent 16 s (over three intervals); w-a was heard 2 s ago.
        Assert.Equal(["w-a"], afterSilence.Select(w => w.WorkerId));
        Assert.Equal(_time.GetUtcNow().AddSeconds(-2), afterSilence[0].LastSeenAt.ToDateTimeOffset());
    }

    private async Task AnnounceAsync(string id, string pool, bool stopping)
    {
        var announcement = new WorkerAnnouncement { Worker = new WorkerInfo { WorkerId = id, Pool = pool, Slots = 2, AnnounceSeconds = 5 }, Stopping = stopping };
        await _bus.PublishAsync(new BusMessage(Topics.Workers, id, announcement.ToByteArray()), CancellationToken.None);
    }

    private static async Task<IReadOnlyList<WorkerInfo>> WaitForAsync(WorkerDirectory directory, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (directory.Current() is var current && current.Count != count)
        {
            await Task.Delay(10, timeout.Token);
        }

        return directory.Current();
    }

    private async Task WaitUntilHeardAsync(WorkerDirectory directory, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!directory.Current().Any(w => w.WorkerId == id && w.LastSeenAt.ToDateTimeOffset() == _time.GetUtcNow()))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
