using Media.JobApi.Retention;
using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>Retention's queries: expired jobs and unused uploads, deleted with a record of the objects they leave.</summary>
public sealed class SqlRetentionStore(SqlDatabase db) : IRetentionStore
{
    // An upload is in use while a stored job names it (its source, or a "blob:" logo, music or font: job_references),
    // or one of its tenant's stored patterns or templates does (few per tenant, so a LIKE on them is cheap). Until every
    // job of an earlier release has its references indexed, no upload counts as unused.
    private const string UploadUnused = """
        NOT EXISTS (SELECT 1 FROM job_references r WHERE r.ref = 'upload:' || u.id)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.references_indexed = 0)
        AND NOT EXISTS (SELECT 1 FROM tenant_patterns p WHERE p.tenant = u.tenant AND p.document LIKE '%' || u.id || '%')
        AND NOT EXISTS (SELECT 1 FROM thumbnail_templates t WHERE t.tenant = u.tenant AND t.document LIKE '%' || u.id || '%')
        """;

    // Kept past its time while its webhook is still being retried, its publication still waits, or another stored job
    // was made from its outputs (its source or a "blob:" names them; a retry or revision of that job would need them).
    private const string JobDeletable = """
        j.finished_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.tenant = j.tenant AND (d.name = j.id OR d.name = j.id || '/publish') AND d.state = $retrying)
        AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.job_id = j.id AND p.state = $scheduled)
        AND NOT EXISTS (SELECT 1 FROM job_references r WHERE r.ref = 'job:' || j.id)
        AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.references_indexed = 0)
        """;

    private static readonly (string Name, object? Value)[] JobParameters =
    [
        ("$retrying", Webhooks.WebhookDelivery.Retrying), ("$scheduled", (int)PublicationState.Scheduled),
    ];

    public async Task<IReadOnlyList<ExpiredJob>> ListExpiredJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken)
    {
        if (TenantCutoffs("j.tenant", "j.finished_at", cutoffs) is not var (condition, parameters))
        {
            return [];
        }

        return await db.QueryAsync(
            $"SELECT j.id, j.tenant, j.finished_at FROM jobs j WHERE {condition} AND {JobDeletable} ORDER BY j.finished_at LIMIT $limit",
            r => new ExpiredJob(r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))),
            cancellationToken,
            [.. parameters, .. JobParameters, ("$limit", limit)]);
    }

    public async Task<bool> DeleteJobAsync(ExpiredJob job, DateTimeOffset finishedBefore, string storageFolder, CancellationToken cancellationToken)
    {
        using (await db.WriteLockAsync(cancellationToken))
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            // The row first, on the same conditions as the listing: a job revised, retried or newly used since is kept, and
            // of two replicas deleting it one finds nothing.
            var deleted = await db.ExecuteAsync(connection, transaction, $"DELETE FROM jobs WHERE id = $id AND finished_at < $before AND id IN (SELECT j.id FROM jobs j WHERE j.id = $id AND {JobDeletable})",
                cancellationToken, [("$id", job.Id), ("$before", finishedBefore.ToUnixTimeMilliseconds()), .. JobParameters]);
            if (deleted == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }

            foreach (var table in (string[])["events", "stages", "outputs", "job_labels", "job_references", "publications", "run_tidies"])
            {
                await db.ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE job_id = $id", cancellationToken, ("$id", job.Id));
            }

            await db.ExecuteAsync(connection, transaction, "DELETE FROM webhook_deliveries WHERE tenant = $tenant AND (name = $id OR name = $publish)", cancellationToken,
                ("$tenant", job.Tenant), ("$id", job.Id), ("$publish", job.Id + "/publish"));
            await RecordBlobDeletionAsync(connection, transaction, storageFolder, isFolder: true, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
    }

    public async Task<IReadOnlyList<UploadRecord>> ListUnusedUploadsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken)
    {
        if (TenantCutoffs("u.tenant", "u.created_at", cutoffs) is not var (condition, parameters))
        {
            return [];
        }

        var columns = string.Join(", ", SqlUploadStore.UploadColumns.Split(", ").Select(c => "u." + c));
        return await db.QueryAsync($"SELECT {columns} FROM uploads u WHERE {condition} AND {UploadUnused} ORDER BY u.created_at LIMIT $limit",
            SqlUploadStore.Upload, cancellationToken, [.. parameters, ("$limit", limit)]);
    }

    public async Task<bool> DeleteUploadAsync(UploadRecord upload, DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        using (await db.WriteLockAsync(cancellationToken))
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var deleted = await db.ExecuteAsync(connection, transaction, $"DELETE FROM uploads WHERE id = $id AND created_at < $before AND id IN (SELECT u.id FROM uploads u WHERE u.id = $id AND {UploadUnused})",
                cancellationToken, ("$id", upload.Id), ("$before", createdBefore.ToUnixTimeMilliseconds()));
            if (deleted == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }

            await RecordBlobDeletionAsync(connection, transaction, upload.Key, isFolder: false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
    }

    public async Task<int> IndexReferencesAsync(int limit, CancellationToken cancellationToken)
    {
        var jobs = await db.QueryAsync($"SELECT {Rows.JobColumns} FROM jobs WHERE references_indexed = 0 LIMIT $limit", Rows.Job, cancellationToken, ("$limit", limit));
        if (jobs.Count == 0)
        {
            return 0;
        }

        using (await db.WriteLockAsync(cancellationToken))
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var job in jobs)
            {
                await SqlJobStore.WriteReferencesAsync(db, connection, transaction, job, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return jobs.Count;
    }

    public async Task<IReadOnlyList<BlobDeletion>> ListBlobDeletionsAsync(int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT key, is_prefix FROM blob_deletions ORDER BY created_at LIMIT $limit",
            r => new BlobDeletion(r.GetString(0), r.GetInt64(1) != 0), cancellationToken, ("$limit", limit));

    public Task ForgetBlobDeletionAsync(string key, CancellationToken cancellationToken) =>
        db.WriteAsync("DELETE FROM blob_deletions WHERE key = $key", cancellationToken, ("$key", key));

    public async Task<IReadOnlyList<RunTidy>> ListDueRunTidiesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT job_id, tenant, due_at FROM run_tidies WHERE due_at <= $now ORDER BY due_at LIMIT $limit",
            r => new RunTidy(r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))), cancellationToken, ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public Task ForgetRunTidyAsync(RunTidy tidy, CancellationToken cancellationToken) =>
        db.WriteAsync("DELETE FROM run_tidies WHERE job_id = $job AND due_at = $due", cancellationToken, ("$job", tidy.JobId), ("$due", tidy.DueAt.ToUnixTimeMilliseconds()));

    /// <summary>
    /// "(tenant = a AND time &lt; cut_a) OR … OR (tenant NOT IN (a, …) AND time &lt; farm_cut)": each tenant that set its
    /// own time by it, every other by the farm's; null when everything is kept.
    /// </summary>
    private static (string Condition, (string Name, object? Value)[] Parameters)? TenantCutoffs(string tenantColumn, string timeColumn, RetentionCutoffs cutoffs)
    {
        var clauses = new List<string>();
        var parameters = new List<(string Name, object? Value)>();
        var own = new List<string>();
        foreach (var (tenant, cutoff) in cutoffs.ByTenant)
        {
            var name = $"$tenant{own.Count}";
            own.Add(name);
            parameters.Add((name, tenant));
            if (cutoff is { } time)
            {
                clauses.Add($"({tenantColumn} = {name} AND {timeColumn} < $cut{own.Count})");
                parameters.Add(($"$cut{own.Count}", time.ToUnixTimeMilliseconds()));
            }
        }

        if (cutoffs.Farm is { } farm)
        {
            clauses.Add(own.Count == 0 ? $"{timeColumn} < $farmCut" : $"({tenantColumn} NOT IN ({string.Join(", ", own)}) AND {timeColumn} < $farmCut)");
            parameters.Add(("$farmCut", farm.ToUnixTimeMilliseconds()));
        }

        return clauses.Count == 0 ? null : ($"({string.Join(" OR ", clauses)})", [.. parameters]);
    }

    private async Task RecordBlobDeletionAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string key, bool isFolder, CancellationToken cancellationToken) =>
        await db.ExecuteAsync(connection, transaction, "INSERT INTO blob_deletions (key, is_prefix, created_at) VALUES ($key, $folder, $at) ON CONFLICT (key) DO NOTHING", cancellationToken,
            ("$key", key), ("$folder", isFolder ? 1 : 0), ("$at", db.Clock.GetUtcNow().ToUnixTimeMilliseconds()));
}
