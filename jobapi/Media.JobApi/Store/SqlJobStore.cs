using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>
/// The job store in portable SQL (SQLite and PostgreSQL share every query): one transaction per transition,
/// per-job event sequences, nested messages as protobuf bytes. Subclasses open connections, create or
/// migrate the schema, and say how writes are serialised and rows locked.
/// </summary>
public abstract class SqlJobStore : IJobStore
{
    private const string JobColumns = "id, tenant, idempotency_key, request_hash, pattern_name, pattern_document, source_key, parameters, labels, outputs_wanted, priority, webhook_url, state, progress, created_at, updated_at, finished_at, source_info, error, last_sequence, templates, version";
    private const string StageColumns = "id, job_id, kind, state, output_name, depends_on, attempt, failures, progress, worker_id, lease_expires_at, started_at, finished_at, error, pool";

    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Held around every write; SQLite serialises writers in-process, PostgreSQL needs nothing.</summary>
    protected virtual Task<IDisposable> WriteLockAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable>(NoLock.Instance);

    /// <summary>Appended to the read of a job's sequence inside a commit (" FOR UPDATE" where rows can be locked).</summary>
    protected virtual string LockRowClause => string.Empty;

    /// <summary>Queries are written with $name parameters; a dialect may rewrite them.</summary>
    protected virtual string Dialect(string sql) => sql;

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    protected abstract bool IsUniqueViolation(DbException exception);

    public Task PutTemplateAsync(StoredDocument template, CancellationToken cancellationToken) => PutDocumentAsync("thumbnail_templates", template, cancellationToken);

    public Task<IReadOnlyList<StoredDocument>> ListTemplatesAsync(string tenant, CancellationToken cancellationToken) => ListDocumentsAsync("thumbnail_templates", tenant, cancellationToken);

    public Task<bool> DeleteTemplateAsync(string tenant, string name, CancellationToken cancellationToken) => DeleteDocumentAsync("thumbnail_templates", tenant, name, cancellationToken);

    public Task PutPatternAsync(StoredDocument pattern, CancellationToken cancellationToken) => PutDocumentAsync("tenant_patterns", pattern, cancellationToken);

    public Task<IReadOnlyList<StoredDocument>> ListPatternsAsync(string tenant, CancellationToken cancellationToken) => ListDocumentsAsync("tenant_patterns", tenant, cancellationToken);

    public Task<bool> DeletePatternAsync(string tenant, string name, CancellationToken cancellationToken) => DeleteDocumentAsync("tenant_patterns", tenant, name, cancellationToken);

    public Task PutEngagementAsync(StoredDocument engagement, CancellationToken cancellationToken) => PutDocumentAsync("engagement", engagement, cancellationToken);

    public Task<IReadOnlyList<StoredDocument>> ListEngagementAsync(string tenant, CancellationToken cancellationToken) => ListDocumentsAsync("engagement", tenant, cancellationToken);

    public Task PutWebhookDeliveryAsync(StoredDocument delivery, CancellationToken cancellationToken) => PutDocumentAsync("webhook_deliveries", delivery, cancellationToken);

    public async Task<StoredDocument?> GetWebhookDeliveryAsync(string tenant, string jobId, CancellationToken cancellationToken) =>
        await ListDocumentsAsync("webhook_deliveries", tenant, cancellationToken, jobId) is [var found, ..] ? found : null;

    public async Task<IReadOnlyList<UnsettledWebhook>> ListUnsettledWebhooksAsync(DateTimeOffset finishedAfter, DateTimeOffset quietSince, int limit, CancellationToken cancellationToken)
    {
        const string Unsettled = "(d.name IS NULL OR (d.updated_at < $quiet AND d.document LIKE $retrying))";
        const string Finished = $"""
            SELECT j.id, j.tenant, j.webhook_url, d.document, d.updated_at FROM jobs j
            LEFT JOIN webhook_deliveries d ON d.tenant = j.tenant AND d.name = j.id
            WHERE j.webhook_url <> '' AND j.finished_at >= $after AND j.finished_at < $quiet AND {Unsettled}
            ORDER BY j.finished_at LIMIT $limit
            """;

        // A publication is requested once both its time and its job's end have come, so both before quietSince means
        // its delivery had time to record itself.
        const string Published = $"""
            SELECT j.id, j.tenant, j.webhook_url, d.document, d.updated_at FROM publications p
            JOIN jobs j ON j.id = p.job_id
            LEFT JOIN webhook_deliveries d ON d.tenant = j.tenant AND d.name = j.id || '/publish'
            WHERE p.state = $requested AND p.publish_at < $quiet AND j.webhook_url <> ''
              AND j.finished_at >= $after AND j.finished_at < $quiet AND {Unsettled}
            ORDER BY j.finished_at LIMIT $limit
            """;
        (string Name, object? Value)[] shared =
        [
            ("$after", finishedAfter.ToUnixTimeMilliseconds()), ("$quiet", quietSince.ToUnixTimeMilliseconds()),
            ("$retrying", "%\"state\":\"" + Webhooks.WebhookDelivery.Retrying + "\"%"), ("$limit", limit),
        ];
        var found = new List<UnsettledWebhook>();
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var (sql, publication) in new[] { (Finished, false), (Published, true) })
        {
            await using var command = Command(connection, null, sql, publication ? [.. shared, ("$requested", (int)PublicationState.Requested)] : shared);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (id, tenant) = (reader.GetString(0), reader.GetString(1));
                var name = publication ? id + "/publish" : id;
                var delivery = reader.IsDBNull(3) ? null : new StoredDocument(tenant, name, reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
                found.Add(new UnsettledWebhook(id, tenant, reader.GetString(2), delivery, publication));
            }
        }

        return found;
    }

    public async Task<bool> TryClaimWebhookAsync(UnsettledWebhook webhook, StoredDocument claim, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            if (webhook.Delivery is null)
            {
                try
                {
                    await ExecuteAsync(connection, null, "INSERT INTO webhook_deliveries (tenant, name, document, updated_at) VALUES ($tenant, $name, $document, $at)", cancellationToken,
                        ("$tenant", claim.Tenant), ("$name", claim.Name), ("$document", claim.Document), ("$at", claim.UpdatedAt.ToUnixTimeMilliseconds()));
                    return true;
                }
                catch (DbException ex) when (IsUniqueViolation(ex))
                {
                    return false;
                }
            }

            await using var command = Command(connection, null, "UPDATE webhook_deliveries SET updated_at = $at WHERE tenant = $tenant AND name = $name AND updated_at = $seen",
                ("$at", claim.UpdatedAt.ToUnixTimeMilliseconds()), ("$tenant", claim.Tenant), ("$name", claim.Name), ("$seen", webhook.Delivery.UpdatedAt.ToUnixTimeMilliseconds()));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
    }

    public Task PutApiKeyAsync(StoredDocument key, CancellationToken cancellationToken) => PutDocumentAsync("api_keys", key, cancellationToken);

    public async Task<StoredDocument?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        await QueryDocumentsAsync("SELECT tenant, name, document, updated_at FROM api_keys WHERE name = $name", cancellationToken, ("$name", keyId)) is [var found, ..] ? found : null;

    public Task<IReadOnlyList<StoredDocument>> ListApiKeysAsync(string? tenant, CancellationToken cancellationToken) =>
        tenant is null
            ? QueryDocumentsAsync("SELECT tenant, name, document, updated_at FROM api_keys ORDER BY tenant, name", cancellationToken)
            : ListDocumentsAsync("api_keys", tenant, cancellationToken);

    // The table names below are constants of this class, never input.
    private async Task PutDocumentAsync(string table, StoredDocument document, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null,
                $"INSERT INTO {table} (tenant, name, document, updated_at) VALUES ($tenant, $name, $doc, $at) ON CONFLICT (tenant, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
                cancellationToken, ("$tenant", document.Tenant), ("$name", document.Name), ("$doc", document.Document), ("$at", document.UpdatedAt.ToUnixTimeMilliseconds()));
        }
    }

    private Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(string table, string tenant, CancellationToken cancellationToken, string? name = null) =>
        name is null
            ? QueryDocumentsAsync($"SELECT tenant, name, document, updated_at FROM {table} WHERE tenant = $tenant ORDER BY name", cancellationToken, ("$tenant", tenant))
            : QueryDocumentsAsync($"SELECT tenant, name, document, updated_at FROM {table} WHERE tenant = $tenant AND name = $name", cancellationToken, ("$tenant", tenant), ("$name", name));

    private async Task<IReadOnlyList<StoredDocument>> QueryDocumentsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var documents = new List<StoredDocument>();
        while (await reader.ReadAsync(cancellationToken))
        {
            documents.Add(new StoredDocument(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return documents;
    }

    private async Task<bool> DeleteDocumentAsync(string table, string tenant, string name, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = Command(connection, null, $"DELETE FROM {table} WHERE tenant = $tenant AND name = $name", ("$tenant", tenant), ("$name", name));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }
    }

    public async Task<IReadOnlyList<JobEvent>> CommitAsync(JobChanges changes, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            if (!changes.IsNew)
            {
                // Takes the row lock too, so the sequence read below cannot move until this commit ends.
                var claimed = await ExecuteAsync(connection, transaction, "UPDATE jobs SET version = version + 1 WHERE id = $id AND version = $version", cancellationToken,
                    ("$id", changes.Job.Id), ("$version", changes.Job.Version));
                if (claimed != 1)
                {
                    throw ConcurrentChangeException.ForJob(changes.Job.Id);
                }
            }

            var sequence = changes.IsNew ? 0 : await ScalarLongAsync(connection, transaction, "SELECT last_sequence FROM jobs WHERE id = $id" + LockRowClause, cancellationToken, ("$id", changes.Job.Id));
            var committed = new List<JobEvent>(changes.Events.Count);
            foreach (var jobEvent in changes.Events)
            {
                var stored = jobEvent.Clone();
                stored.JobId = changes.Job.Id;
                stored.Sequence = ++sequence;
                await ExecuteAsync(connection, transaction, "INSERT INTO events (job_id, sequence, payload) VALUES ($job, $seq, $payload)", cancellationToken,
                    ("$job", changes.Job.Id), ("$seq", stored.Sequence), ("$payload", stored.ToByteArray()));
                committed.Add(stored);
            }

            var job = changes.Job with { LastSequence = sequence, Version = changes.IsNew ? 0 : changes.Job.Version + 1 };
            try
            {
                await WriteJobAsync(connection, transaction, job, changes.IsNew, cancellationToken);
            }
            catch (DbException ex) when (changes.IsNew && IsUniqueViolation(ex))
            {
                // Another replica stored the same idempotency key first.
                throw ConcurrentChangeException.ForJob(job.Id, ex);
            }

            changes.Job = job;

            foreach (var stage in changes.Stages)
            {
                await WriteStageAsync(connection, transaction, stage, cancellationToken);
            }

            foreach (var output in changes.Outputs)
            {
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO outputs (job_id, name, payload) VALUES ($job, $name, $payload) ON CONFLICT (job_id, name) DO UPDATE SET payload = excluded.payload",
                    cancellationToken, ("$job", job.Id), ("$name", output.Name), ("$payload", output.ToByteArray()));
            }

            await transaction.CommitAsync(cancellationToken);
            return committed;
        }
    }

    public async Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var jobs = await QueryJobsAsync($"SELECT {JobColumns} FROM jobs WHERE id = $id", cancellationToken, ("$id", jobId));
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken)
    {
        var jobs = await QueryJobsAsync($"SELECT {JobColumns} FROM jobs WHERE tenant = $tenant AND idempotency_key = $key", cancellationToken, ("$tenant", tenant), ("$key", idempotencyKey));
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {JobColumns} FROM jobs j WHERE tenant = $tenant");
        var parameters = new List<(string, object?)> { ("$tenant", query.Tenant) };
        if (query.State != JobState.Unspecified)
        {
            sql.Append(" AND state = $state");
            parameters.Add(("$state", (int)query.State));
        }

        var i = 0;
        foreach (var (key, value) in query.Labels)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM job_labels l WHERE l.job_id = j.id AND l.key = $lk{i} AND l.value = $lv{i})");
            parameters.Add(($"$lk{i}", key));
            parameters.Add(($"$lv{i}", value));
            i++;
        }

        if (PageCursor.TryDecode(query.PageToken, out var createdAt, out var lastId))
        {
            sql.Append(" AND (created_at < $cursorTime OR (created_at = $cursorTime AND id < $cursorId))");
            parameters.Add(("$cursorTime", createdAt));
            parameters.Add(("$cursorId", lastId));
        }

        sql.Append(" ORDER BY created_at DESC, id DESC LIMIT $limit");
        parameters.Add(("$limit", query.PageSize + 1));
        var jobs = await QueryJobsAsync(sql.ToString(), cancellationToken, [.. parameters]);
        if (jobs.Count <= query.PageSize)
        {
            return new JobPage(jobs, string.Empty);
        }

        var page = jobs.Take(query.PageSize).ToList();
        return new JobPage(page, PageCursor.Encode(page[^1].CreatedAt.ToUnixTimeMilliseconds(), page[^1].Id));
    }

    public Task<IReadOnlyList<StageRecord>> GetStagesAsync(string jobId, CancellationToken cancellationToken) =>
        QueryStagesAsync($"SELECT {StageColumns} FROM stages WHERE job_id = $job ORDER BY kind, id", cancellationToken, ("$job", jobId));

    public async Task<StageRecord?> GetStageAsync(string stageId, CancellationToken cancellationToken) =>
        await QueryStagesAsync($"SELECT {StageColumns} FROM stages WHERE id = $id", cancellationToken, ("$id", stageId)) is [var stage, ..] ? stage : null;

    public async Task<IReadOnlyDictionary<string, JobDetails>> GetJobDetailsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0)
        {
            return new Dictionary<string, JobDetails>();
        }

        // One placeholder per id ($j0, $j1 …): the ids are values, never spliced into the SQL.
        var parameters = jobIds.Select((id, i) => ($"$j{i.ToString(CultureInfo.InvariantCulture)}", (object?)id)).ToArray();
        var list = string.Join(", ", parameters.Select(p => p.Item1));
        var stages = await QueryStagesAsync($"SELECT {StageColumns} FROM stages WHERE job_id IN ({list}) ORDER BY job_id, kind, id", cancellationToken, parameters);
        var publications = await QueryPublicationsAsync($"SELECT job_id, tenant, document FROM publications WHERE job_id IN ({list})", cancellationToken, parameters);
        var outputs = new List<(string JobId, Output Output)>();
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var command = Command(connection, null, $"SELECT job_id, payload FROM outputs WHERE job_id IN ({list}) ORDER BY job_id, name", parameters))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                outputs.Add((reader.GetString(0), Output.Parser.ParseFrom((byte[])reader[1])));
            }
        }

        var stagesByJob = stages.ToLookup(s => s.JobId, StringComparer.Ordinal);
        var outputsByJob = outputs.ToLookup(o => o.JobId, o => o.Output, StringComparer.Ordinal);
        var publicationByJob = publications.ToDictionary(p => p.JobId, StringComparer.Ordinal);
        return jobIds.Distinct(StringComparer.Ordinal).ToDictionary(
            id => id,
            id => new JobDetails([.. stagesByJob[id]], [.. outputsByJob[id]], publicationByJob.GetValueOrDefault(id)),
            StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Output>> GetOutputsAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT payload FROM outputs WHERE job_id = $job ORDER BY name", ("$job", jobId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var outputs = new List<Output>();
        while (await reader.ReadAsync(cancellationToken))
        {
            outputs.Add(Output.Parser.ParseFrom((byte[])reader[0]));
        }

        return outputs;
    }

    public async Task<IReadOnlyList<JobEvent>> GetEventsAsync(string jobId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT payload FROM events WHERE job_id = $job AND sequence > $after ORDER BY sequence LIMIT $limit",
            ("$job", jobId), ("$after", afterSequence), ("$limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<JobEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(JobEvent.Parser.ParseFrom((byte[])reader[0]));
        }

        return events;
    }

    public Task<IReadOnlyList<StageRecord>> GetDueStagesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryStagesAsync(
            $"""
            SELECT {Prefixed("s.", StageColumns)} FROM stages s JOIN jobs j ON j.id = s.job_id
            WHERE j.state IN ($queued, $running)
              AND s.lease_expires_at IS NOT NULL AND s.lease_expires_at <= $now
              AND (s.state IN ($dispatched, $stageRunning) OR (s.state = $waiting AND s.attempt > 0))
            ORDER BY s.lease_expires_at
            LIMIT 500
            """,
            cancellationToken,
            ("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running), ("$now", now.ToUnixTimeMilliseconds()),
            ("$dispatched", (int)StageState.Dispatched), ("$stageRunning", (int)StageState.Running), ("$waiting", (int)StageState.Waiting));

    public Task<IReadOnlyList<StageRecord>> GetActiveStagesAsync(CancellationToken cancellationToken) =>
        QueryStagesAsync(
            $"""
            SELECT {Prefixed("s.", StageColumns)} FROM stages s JOIN jobs j ON j.id = s.job_id
            WHERE j.state IN ($queued, $running) AND s.state IN ($dispatched, $stageRunning)
            """,
            cancellationToken,
            ("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running),
            ("$dispatched", (int)StageState.Dispatched), ("$stageRunning", (int)StageState.Running));

    private static readonly Google.Protobuf.JsonFormatter PublicationFormatter = new(Google.Protobuf.JsonFormatter.Settings.Default);

    public async Task PutPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null,
                "INSERT INTO publications (job_id, tenant, publish_at, state, document) VALUES ($id, $tenant, $at, $state, $doc) ON CONFLICT (job_id) DO UPDATE SET publish_at = excluded.publish_at, state = excluded.state, document = excluded.document",
                cancellationToken, PublicationParameters(publication));
        }
    }

    public async Task<PublicationRecord?> GetPublicationAsync(string jobId, CancellationToken cancellationToken) =>
        (await QueryPublicationsAsync("SELECT job_id, tenant, document FROM publications WHERE job_id = $id", cancellationToken, ("$id", jobId))) is [var found, ..] ? found : null;

    public Task<IReadOnlyList<PublicationRecord>> GetDuePublicationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryPublicationsAsync(
            "SELECT job_id, tenant, document FROM publications WHERE state = $scheduled AND publish_at <= $now ORDER BY publish_at LIMIT $limit",
            cancellationToken, ("$scheduled", (int)PublicationState.Scheduled), ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public async Task<bool> ReplacePublicationAsync(PublicationRecord expected, PublicationRecord replacement, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = Command(connection, null,
                "UPDATE publications SET publish_at = $at, state = $state, document = $doc WHERE job_id = $id AND state = $expectedState AND publish_at = $expectedAt",
                [.. PublicationParameters(replacement), ("$expectedState", (int)expected.State), ("$expectedAt", expected.PublishAt.ToUnixTimeMilliseconds())]);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
    }

    private static (string Name, object? Value)[] PublicationParameters(PublicationRecord publication) =>
    [
        ("$id", publication.JobId), ("$tenant", publication.Tenant), ("$at", publication.PublishAt.ToUnixTimeMilliseconds()),
        ("$state", (int)publication.State), ("$doc", PublicationFormatter.Format(publication.Publication)),
    ];

    private async Task<IReadOnlyList<PublicationRecord>> QueryPublicationsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<PublicationRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new PublicationRecord(reader.GetString(0), reader.GetString(1), Publication.Parser.ParseJson(reader.GetString(2))));
        }

        return found;
    }

    private const string NeverDispatched = "NOT EXISTS (SELECT 1 FROM stages s WHERE s.job_id = j.id AND s.attempt > 0)";

    public async Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (int)await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM jobs WHERE tenant = $tenant AND state IN ($queued, $running)", cancellationToken,
            ("$tenant", tenant), ("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running));
    }

    public async Task<int> CountAdmittedJobsAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (int)await ScalarLongAsync(connection, null, $"SELECT COUNT(*) FROM jobs j WHERE j.tenant = $tenant AND j.state IN ($queued, $running) AND NOT {NeverDispatched}", cancellationToken,
            ("$tenant", tenant), ("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running));
    }

    public async Task<IReadOnlyList<string>> GetHeldJobIdsAsync(string tenant, int limit, CancellationToken cancellationToken) =>
        await QueryStringsAsync(
            $"SELECT j.id FROM jobs j WHERE j.tenant = $tenant AND j.state = $queued AND {NeverDispatched} ORDER BY j.priority, j.created_at, j.id LIMIT $limit",
            cancellationToken, ("$tenant", tenant), ("$queued", (int)JobState.Queued), ("$limit", limit));

    public async Task<IReadOnlyList<string>> GetTenantsWithHeldJobsAsync(CancellationToken cancellationToken) =>
        await QueryStringsAsync($"SELECT DISTINCT j.tenant FROM jobs j WHERE j.state = $queued AND {NeverDispatched} ORDER BY j.tenant", cancellationToken, ("$queued", (int)JobState.Queued));

    public async Task<(IReadOnlyDictionary<(string Pool, Priority Priority), long> Dispatched, long Held)> GetQueueDepthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var dispatched = new Dictionary<(string, Priority), long>();
        await using (var command = Command(connection, null,
            "SELECT s.pool, j.priority, COUNT(*) FROM stages s JOIN jobs j ON j.id = s.job_id WHERE s.state = $dispatched AND j.state IN ($queued, $running) GROUP BY s.pool, j.priority",
            ("$dispatched", (int)StageState.Dispatched), ("$queued", (int)JobState.Queued), ("$running", (int)JobState.Running)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                dispatched[(reader.GetString(0), (Priority)reader.GetInt32(1))] = reader.GetInt64(2);
            }
        }

        var held = await ScalarLongAsync(connection, null, $"SELECT COUNT(*) FROM jobs j WHERE j.state = $queued AND {NeverDispatched}", cancellationToken, ("$queued", (int)JobState.Queued));
        return (dispatched, held);
    }

    public async Task<double> SumSourceSecondsAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT source_info FROM jobs WHERE tenant = $tenant AND created_at >= $since AND source_info IS NOT NULL", ("$tenant", tenant), ("$since", since.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var seconds = 0.0;
        while (await reader.ReadAsync(cancellationToken))
        {
            seconds += MediaInfo.Parser.ParseFrom((byte[])reader.GetValue(0)).DurationSeconds;
        }

        return seconds;
    }

    private async Task<IReadOnlyList<string>> QueryStringsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public async Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null,
                "INSERT INTO uploads (id, tenant, key, file_name, content_type, size_bytes, sha256, created_at) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $created)",
                cancellationToken,
                ("$id", upload.Id), ("$tenant", upload.Tenant), ("$key", upload.Key), ("$name", upload.FileName), ("$type", upload.ContentType),
                ("$size", upload.SizeBytes), ("$sha", upload.Sha256), ("$created", upload.CreatedAt.ToUnixTimeMilliseconds()));
        }
    }

    public async Task<UploadRecord?> GetUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT id, tenant, key, file_name, content_type, size_bytes, sha256, created_at FROM uploads WHERE id = $id AND tenant = $tenant",
            ("$id", uploadId), ("$tenant", tenant));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new UploadRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            reader.GetInt64(5), reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));
    }

    public async Task CreatePendingUploadAsync(PendingUploadRecord pending, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null,
                $"INSERT INTO pending_uploads ({PendingUploadColumns}) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $storage, $created, $expires)",
                cancellationToken,
                ("$id", pending.Id), ("$tenant", pending.Tenant), ("$key", pending.Key), ("$name", pending.FileName), ("$type", pending.ContentType),
                ("$size", pending.SizeBytes), ("$sha", pending.Sha256), ("$storage", pending.StorageUploadId),
                ("$created", pending.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", pending.ExpiresAt.ToUnixTimeMilliseconds()));
        }
    }

    private const string PendingUploadColumns = "id, tenant, key, file_name, content_type, size_bytes, sha256, storage_upload_id, created_at, expires_at";

    public async Task<PendingUploadRecord?> GetPendingUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken) =>
        await QueryPendingUploadsAsync($"SELECT {PendingUploadColumns} FROM pending_uploads WHERE id = $id AND tenant = $tenant", cancellationToken, ("$id", uploadId), ("$tenant", tenant))
            is [var found, ..] ? found : null;

    public Task<IReadOnlyList<PendingUploadRecord>> ListExpiredPendingUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryPendingUploadsAsync($"SELECT {PendingUploadColumns} FROM pending_uploads WHERE expires_at < $now ORDER BY expires_at LIMIT $limit", cancellationToken,
            ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    private async Task<IReadOnlyList<PendingUploadRecord>> QueryPendingUploadsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<PendingUploadRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new PendingUploadRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetString(6), reader.GetString(7),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9))));
        }

        return found;
    }

    public async Task<bool> CompletePendingUploadAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The delete decides which of two concurrent completions registers the upload.
            if (await ExecuteAsync(connection, transaction, "DELETE FROM pending_uploads WHERE id = $id", cancellationToken, ("$id", upload.Id)) == 0)
            {
                return false;
            }

            await ExecuteAsync(connection, transaction,
                "INSERT INTO uploads (id, tenant, key, file_name, content_type, size_bytes, sha256, created_at) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $created)",
                cancellationToken,
                ("$id", upload.Id), ("$tenant", upload.Tenant), ("$key", upload.Key), ("$name", upload.FileName), ("$type", upload.ContentType),
                ("$size", upload.SizeBytes), ("$sha", upload.Sha256), ("$created", upload.CreatedAt.ToUnixTimeMilliseconds()));
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
    }

    public async Task DeletePendingUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "DELETE FROM pending_uploads WHERE id = $id", cancellationToken, ("$id", uploadId));
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ScalarLongAsync(connection, null, "SELECT 1", cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private async Task WriteJobAsync(DbConnection connection, DbTransaction transaction, JobRecord job, bool isNew, CancellationToken cancellationToken)
    {
        var sql = isNew
            ? $"INSERT INTO jobs ({JobColumns}) VALUES ($id, $tenant, $ikey, $hash, $pattern, $doc, $source, $params, $labels, $outputs, $priority, $webhook, $state, $progress, $created, $updated, $finished, $info, $error, $seq, $templates, $version)"
            : "UPDATE jobs SET state = $state, progress = $progress, updated_at = $updated, finished_at = $finished, source_info = $info, error = $error, last_sequence = $seq WHERE id = $id";
        await ExecuteAsync(connection, transaction, sql, cancellationToken,
            ("$id", job.Id), ("$tenant", job.Tenant), ("$ikey", job.IdempotencyKey), ("$hash", job.RequestHash), ("$pattern", job.PatternName),
            ("$doc", job.PatternDocument), ("$source", job.SourceKey), ("$params", JsonSerializer.Serialize(job.Parameters)),
            ("$labels", JsonSerializer.Serialize(job.Labels)), ("$outputs", JsonSerializer.Serialize(job.OutputsWanted)), ("$priority", (int)job.Priority),
            ("$webhook", job.WebhookUrl), ("$state", (int)job.State), ("$progress", job.Progress), ("$created", job.CreatedAt.ToUnixTimeMilliseconds()),
            ("$updated", job.UpdatedAt.ToUnixTimeMilliseconds()), ("$finished", job.FinishedAt?.ToUnixTimeMilliseconds()),
            ("$info", job.SourceInfo?.ToByteArray()), ("$error", job.Error?.ToByteArray()), ("$seq", job.LastSequence),
            ("$templates", JsonSerializer.Serialize(job.Templates)), ("$version", job.Version));

        if (isNew)
        {
            foreach (var (key, value) in job.Labels)
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO job_labels (job_id, key, value) VALUES ($job, $key, $value)", cancellationToken,
                    ("$job", job.Id), ("$key", key), ("$value", value));
            }
        }
    }

    private Task WriteStageAsync(DbConnection connection, DbTransaction transaction, StageRecord stage, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"""
            INSERT INTO stages ({StageColumns}) VALUES ($id, $job, $kind, $state, $output, $deps, $attempt, $failures, $progress, $worker, $lease, $started, $finished, $error, $pool)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempt = excluded.attempt, failures = excluded.failures, progress = excluded.progress,
                worker_id = excluded.worker_id, lease_expires_at = excluded.lease_expires_at, started_at = excluded.started_at,
                finished_at = excluded.finished_at, error = excluded.error
            """,
            cancellationToken,
            ("$id", stage.Id), ("$job", stage.JobId), ("$kind", (int)stage.Kind), ("$state", (int)stage.State), ("$output", stage.OutputName),
            ("$deps", JsonSerializer.Serialize(stage.DependsOn)), ("$attempt", stage.Attempt), ("$failures", stage.Failures), ("$progress", stage.Progress),
            ("$worker", stage.WorkerId), ("$lease", stage.LeaseExpiresAt?.ToUnixTimeMilliseconds()), ("$started", stage.StartedAt?.ToUnixTimeMilliseconds()),
            ("$finished", stage.FinishedAt?.ToUnixTimeMilliseconds()), ("$error", stage.Error?.ToByteArray()), ("$pool", stage.Pool));

    private async Task<List<JobRecord>> QueryJobsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<JobRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new JobRecord
            {
                Id = reader.GetString(0),
                Tenant = reader.GetString(1),
                IdempotencyKey = reader.GetString(2),
                RequestHash = reader.GetString(3),
                PatternName = reader.GetString(4),
                PatternDocument = reader.GetString(5),
                SourceKey = reader.GetString(6),
                Parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [],
                Labels = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8)) ?? [],
                OutputsWanted = JsonSerializer.Deserialize<List<string>>(reader.GetString(9)) ?? [],
                Priority = (Priority)reader.GetInt32(10),
                WebhookUrl = reader.GetString(11),
                State = (JobState)reader.GetInt32(12),
                Progress = reader.GetDouble(13),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14)),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
                FinishedAt = reader.IsDBNull(16) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(16)),
                SourceInfo = reader.IsDBNull(17) ? null : MediaInfo.Parser.ParseFrom((byte[])reader[17]),
                Error = reader.IsDBNull(18) ? null : JobError.Parser.ParseFrom((byte[])reader[18]),
                LastSequence = reader.GetInt64(19),
                Templates = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(20)) ?? [],
                Version = reader.GetInt64(21),
            });
        }

        return jobs;
    }

    private async Task<IReadOnlyList<StageRecord>> QueryStagesAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stages = new List<StageRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stages.Add(new StageRecord
            {
                Id = reader.GetString(0),
                JobId = reader.GetString(1),
                Kind = (StageKind)reader.GetInt32(2),
                State = (StageState)reader.GetInt32(3),
                OutputName = reader.GetString(4),
                DependsOn = JsonSerializer.Deserialize<List<string>>(reader.GetString(5)) ?? [],
                Attempt = reader.GetInt32(6),
                Failures = reader.GetInt32(7),
                Progress = reader.GetDouble(8),
                WorkerId = reader.GetString(9),
                LeaseExpiresAt = reader.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
                StartedAt = reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                FinishedAt = reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
                Error = reader.IsDBNull(13) ? null : JobError.Parser.ParseFrom((byte[])reader[13]),
                Pool = reader.GetString(14),
            });
        }

        return stages;
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Dialect(sql);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = Dialect(name);
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Runs a statement; returns the rows it changed.</summary>
    protected async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected async Task<long> ScalarLongAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private static string Prefixed(string prefix, string columns) =>
        string.Join(", ", columns.Split(',', StringSplitOptions.TrimEntries).Select(c => prefix + c));

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
