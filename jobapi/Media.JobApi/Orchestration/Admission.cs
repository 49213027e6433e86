using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Platform.Bus;
using Media.Platform.Telemetry;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration;

/// <summary>
/// Per-tenant quotas and admission: whether a tenant may submit another job, whether a new job of it may start now
/// (its running-jobs allowance) or is held, and which held jobs get the slots that free up.
/// </summary>
public sealed class Admission(IOrchestrationQueries queries, QuotaOptions quotas, QueueDepth? queueDepth, TimeProvider time)
{
    private static readonly TimeSpan QueueCountInterval = TimeSpan.FromSeconds(5);
    private DateTimeOffset _queueCountedAt = DateTimeOffset.MinValue;

    /// <summary>Refuses a submission past the tenant's unfinished-jobs or daily source-minutes limit, naming the setting.</summary>
    public async Task CheckQuotasAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (maxUnfinished, unfinishedKey) = quotas.UnfinishedJobsFor(tenant);
        var unfinished = await queries.CountUnfinishedJobsAsync(tenant, cancellationToken);
        if (unfinished >= maxUnfinished)
        {
            throw new QuotaExceededException(
                unfinishedKey,
                $"The tenant has {unfinished} unfinished jobs; the limit is {maxUnfinished} ({unfinishedKey}). Submit more as jobs finish.");
        }

        var (maxMinutes, minutesKey) = quotas.SourceMinutesPerDayFor(tenant);
        if (maxMinutes > 0)
        {
            var minutes = await queries.SumSourceSecondsAsync(tenant, now.AddDays(-1), cancellationToken) / 60;
            if (minutes >= maxMinutes)
            {
                throw new QuotaExceededException(
                    minutesKey,
                    $"The tenant submitted {minutes:0.#} source minutes in the last 24 hours; the limit is {maxMinutes:0.#} ({minutesKey}).");
            }
        }
    }

    /// <summary>Whether one more of the tenant's jobs may start now.</summary>
    public async Task<bool> HasRoomAsync(string tenant, CancellationToken cancellationToken) =>
        await queries.CountAdmittedJobsAsync(tenant, cancellationToken) < quotas.RunningJobsFor(tenant);

    /// <summary>The held jobs of the tenant that fit in its allowance now, high priority first, oldest first.</summary>
    public async Task<IReadOnlyList<string>> NextHeldAsync(string tenant, CancellationToken cancellationToken)
    {
        // Most finishing jobs leave nothing held behind: one query answers that, the count only when there is.
        var allowance = quotas.RunningJobsFor(tenant);
        var held = await queries.GetHeldJobIdsAsync(tenant, allowance, cancellationToken);
        var room = held.Count == 0 ? 0 : allowance - await queries.CountAdmittedJobsAsync(tenant, cancellationToken);
        return [.. held.Take(Math.Max(0, room))];
    }

    /// <summary>Refreshes the queue-depth gauge, at most every few seconds.</summary>
    public async Task CountQueueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (queueDepth is null || now - _queueCountedAt < QueueCountInterval)
        {
            return;
        }

        _queueCountedAt = now;
        var (dispatched, held) = await queries.GetQueueDepthAsync(cancellationToken);
        var depth = new[] { Topics.CpuPool, Topics.GpuPool }
            .SelectMany(pool => Priorities.All.Select(priority => (pool, priority)))
            .ToDictionary(k => (k.pool, k.priority.Name()), k => dispatched.GetValueOrDefault((k.pool, k.priority)));
        depth[(Topics.CpuPool, Topics.Held)] = held;
        queueDepth.Set(depth);
    }
}
