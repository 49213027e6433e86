using System.Collections.Concurrent;
using Media.Platform.Bus;
using Media.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Farm;

/// <summary>
/// The workers that announced themselves on media.workers lately, as this replica heard them. Every replica
/// listens in its own group (every replica hears every worker) from the newest message on; a worker that
/// goes silent for three of its announcement intervals, or says it is stopping, drops off.
/// </summary>
public sealed class WorkerDirectory(IMessageBus bus, TimeProvider time, ILogger<WorkerDirectory> logger) : BackgroundService
{
    private const int MissedAnnouncements = 3;
    private readonly ConcurrentDictionary<string, (WorkerInfo Worker, DateTimeOffset HeardAt)> _workers = new(StringComparer.Ordinal);
    private readonly string _group = "farm-view-" + Guid.NewGuid().ToString("N");

    /// <summary>Live workers by pool, then id; last_seen_at is when this replica heard the worker.</summary>
    public IReadOnlyList<WorkerInfo> Current()
    {
        var now = time.GetUtcNow();
        foreach (var (id, entry) in _workers)
        {
            if (now - entry.HeardAt > TimeSpan.FromSeconds(MissedAnnouncements * Math.Clamp(entry.Worker.AnnounceSeconds, 1, 300)))
            {
                _workers.TryRemove(new KeyValuePair<string, (WorkerInfo, DateTimeOffset)>(id, entry));
            }
        }

        return [.. _workers.Values
            .Select(e => e.Worker)
            .OrderBy(w => w.Pool, StringComparer.Ordinal)
            .ThenBy(w => w.WorkerId, StringComparer.Ordinal)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = bus.Subscribe(_group, [new TopicWeight(Topics.Workers)], onlyNewMessages: true);
        await BusConsumer.ConsumeAsync(subscription, WorkerAnnouncement.Parser, (announcement, _, _) =>
        {
            if (announcement.Worker is { WorkerId.Length: > 0 } worker)
            {
                if (announcement.Stopping)
                {
                    _workers.TryRemove(worker.WorkerId, out _);
                }
                else
                {
                    var heardAt = time.GetUtcNow();
                    worker.LastSeenAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(heardAt);
                    _workers[worker.WorkerId] = (worker, heardAt);
                }
            }

            return Task.CompletedTask;
        }, logger, stoppingToken, acknowledgeFirst: true);
    }
}
