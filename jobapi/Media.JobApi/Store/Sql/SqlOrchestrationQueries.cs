using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>The questions the orchestrator's sweeps and admission ask across jobs: due leases, in-flight stages, held jobs, counts.</summary>
public sealed class SqlOrchestrationQueries(SqlDatabase db) : IOrchestrationQueries
{
    private static readonly (string, object?)[] Unfinished = [("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running)];

    public async Task<IReadOnlyList<StageRecord>> GetDueStagesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.QueryAsync(
            $"""
            SELECT {Rows.Prefixed("s.", Rows.StageColumns)} FROM stages s JOIN jobs j ON j.id = s.job_id
            WHERE j.state IN ($queued, $running)
              AND s.lease_expires_at IS NOT NULL AND s.lease_expires_at <= $now
              AND (s.state IN ($dispatched, $stageRunning) OR (s.state = $waiting AND s.attempt > 0))
            ORDER BY s.lease_expires_at
            LIMIT 500
            """,
            Rows.Stage,
            cancellationToken,
            [.. Unfinished, ("$now", now.ToUnixTimeMilliseconds()), ("$dispatched", (int)StageState.Dispatched), ("$stageRunning", (int)StageState.Running), ("$waiting", (int)StageState.Waiting)]);

    public async Task<IReadOnlyList<StageRecord>> GetActiveStagesAsync(CancellationToken cancellationToken) =>
        await db.QueryAsync(
            $"""
            SELECT {Rows.Prefixed("s.", Rows.StageColumns)} FROM stages s JOIN jobs j ON j.id = s.job_id
            WHERE j.state IN ($queued, $running) AND s.state IN ($dispatched, $stageRunning)
            """,
            Rows.Stage,
            cancellationToken,
            [.. Unfinished, ("$dispatched", (int)StageState.Dispatched), ("$stageRunning", (int)StageState.Running)]);

    public async Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellationToken) =>
        (int)await db.ScalarLongAsync("SELECT COUNT(*) FROM jobs WHERE tenant = $tenant AND state IN ($queued, $running)", cancellationToken, [("$tenant", tenant), .. Unfinished]);

    public async Task<int> CountAdmittedJobsAsync(string tenant, CancellationToken cancellationToken) =>
        (int)await db.ScalarLongAsync("SELECT COUNT(*) FROM jobs WHERE tenant = $tenant AND state IN ($queued, $running) AND held = 0", cancellationToken, [("$tenant", tenant), .. Unfinished]);

    public async Task<IReadOnlyList<string>> GetHeldJobIdsAsync(string tenant, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync(
            "SELECT id FROM jobs WHERE held = 1 AND tenant = $tenant AND state = $queued ORDER BY priority, created_at, id LIMIT $limit",
            r => r.GetString(0), cancellationToken, ("$tenant", tenant), ("$queued", (int)JobState.Queued), ("$limit", limit));

    public async Task<IReadOnlyList<string>> GetTenantsWithHeldJobsAsync(CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT DISTINCT tenant FROM jobs WHERE held = 1 AND state = $queued ORDER BY tenant", r => r.GetString(0), cancellationToken, ("$queued", (int)JobState.Queued));

    public async Task<(IReadOnlyDictionary<(string Pool, Priority Priority), long> Dispatched, long Held)> GetQueueDepthAsync(CancellationToken cancellationToken)
    {
        var rows = await db.QueryAsync(
            "SELECT s.pool, j.priority, COUNT(*) FROM stages s JOIN jobs j ON j.id = s.job_id WHERE s.state = $dispatched AND j.state IN ($queued, $running) GROUP BY s.pool, j.priority",
            r => (Key: (r.GetString(0), (Priority)r.GetInt32(1)), Count: r.GetInt64(2)),
            cancellationToken,
            [("$dispatched", (int)StageState.Dispatched), .. Unfinished]);
        var held = await db.ScalarLongAsync("SELECT COUNT(*) FROM jobs WHERE held = 1 AND state = $queued", cancellationToken, ("$queued", (int)JobState.Queued));
        return (rows.ToDictionary(r => r.Key, r => r.Count), held);
    }

    public async Task<double> SumSourceSecondsAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken) =>
        (await db.QueryAsync(
            "SELECT source_info FROM jobs WHERE tenant = $tenant AND created_at >= $since AND source_info IS NOT NULL",
            r => MediaInfo.Parser.ParseFrom((byte[])r.GetValue(0)).DurationSeconds,
            cancellationToken,
            ("$tenant", tenant), ("$since", since.ToUnixTimeMilliseconds()))).Sum();

    public async Task<IReadOnlyList<UnpublishedDispatch>> GetUnpublishedDispatchesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT job_id, stage_id, attempt FROM unpublished_dispatches WHERE created_at < $before ORDER BY created_at LIMIT $limit",
            r => new UnpublishedDispatch(r.GetString(0), r.GetString(1), r.GetInt32(2)), cancellationToken, ("$before", before.ToUnixTimeMilliseconds()), ("$limit", limit));

    public Task ForgetUnpublishedDispatchAsync(string stageId, int attempt, CancellationToken cancellationToken) =>
        db.WriteAsync("DELETE FROM unpublished_dispatches WHERE stage_id = $stage AND attempt = $attempt", cancellationToken, ("$stage", stageId), ("$attempt", attempt));

    public Task ScheduleRunTidyAsync(string jobId, string tenant, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        db.WriteAsync("INSERT INTO run_tidies (job_id, tenant, due_at) VALUES ($job, $tenant, $due) ON CONFLICT (job_id) DO UPDATE SET due_at = excluded.due_at", cancellationToken,
            ("$job", jobId), ("$tenant", tenant), ("$due", dueAt.ToUnixTimeMilliseconds()));
}
