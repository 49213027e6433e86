using System.Globalization;
using System.Text;
using Google.Protobuf;
using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>
/// Jobs with their stages, events and outputs, in portable SQL: one transaction per transition, per-job event sequences,
/// nested messages as protobuf bytes, an optimistic version per job.
/// </summary>
public sealed class SqlJobStore(SqlDatabase db) : IJobStore
{
    public async Task<IReadOnlyList<JobEvent>> CommitAsync(JobChanges changes, CancellationToken cancellationToken)
    {
        using (await db.WriteLockAsync(cancellationToken))
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            if (!changes.IsNew)
            {
                // Takes the row lock too, so the sequence read below cannot move until this commit ends.
                var claimed = await db.ExecuteAsync(connection, transaction, "UPDATE jobs SET version = version + 1 WHERE id = $id AND version = $version", cancellationToken,
                    ("$id", changes.Job.Id), ("$version", changes.Job.Version));
                if (claimed != 1)
                {
                    throw ConcurrentChangeException.ForJob(changes.Job.Id);
                }
            }

            var sequence = changes.IsNew ? 0 : await db.ScalarLongAsync(connection, transaction, "SELECT last_sequence FROM jobs WHERE id = $id" + db.LockRowClause, cancellationToken, ("$id", changes.Job.Id));
            var committed = new List<JobEvent>(changes.Events.Count);
            foreach (var jobEvent in changes.Events)
            {
                var stored = jobEvent.Clone();
                stored.JobId = changes.Job.Id;
                stored.Sequence = ++sequence;
                await db.ExecuteAsync(connection, transaction, "INSERT INTO events (job_id, sequence, payload, kind, stage_id) VALUES ($job, $seq, $payload, $kind, $stage)", cancellationToken,
                    ("$job", changes.Job.Id), ("$seq", stored.Sequence), ("$payload", stored.ToByteArray()), ("$kind", (int)stored.EventCase), ("$stage", EventStage(stored)));
                committed.Add(stored);
            }

            // A stage that changed state (ended, failed an attempt, went back to the queue) no longer needs every
            // heartbeat it reported: its last progress event stays, with the state changes and the result.
            foreach (var stageId in committed.Where(e => e.StageChanged is { State: not StageState.Running }).Select(e => e.StageChanged.StageId).Distinct(StringComparer.Ordinal))
            {
                await db.ExecuteAsync(connection, transaction,
                    """
                    DELETE FROM events WHERE job_id = $job AND kind = $progress AND stage_id = $stage
                      AND sequence < (SELECT MAX(sequence) FROM events WHERE job_id = $job AND kind = $progress AND stage_id = $stage)
                    """,
                    cancellationToken, ("$job", changes.Job.Id), ("$progress", (int)JobEvent.EventOneofCase.Progress), ("$stage", stageId));
            }

            var job = changes.Job with { LastSequence = sequence, Version = changes.IsNew ? 0 : changes.Job.Version + 1 };
            try
            {
                await WriteJobAsync(connection, transaction, job, changes.IsNew, cancellationToken);
            }
            catch (System.Data.Common.DbException ex) when (changes.IsNew && db.IsUniqueViolation(ex))
            {
                // Another replica stored the same idempotency key first.
                throw ConcurrentChangeException.ForJob(job.Id, ex);
            }

            changes.Job = job;
            foreach (var stage in changes.Stages)
            {
                await db.ExecuteAsync(connection, transaction,
                    $"""
                    INSERT INTO stages ({Rows.StageColumns}) VALUES ($id, $job, $kind, $state, $output, $deps, $attempt, $failures, $progress, $worker, $lease, $started, $finished, $error, $pool, $patternOutput, $clip, $revision, $planKey, $rangeStart, $rangeEnd, $variants, $renderedBy)
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempt = excluded.attempt, failures = excluded.failures, progress = excluded.progress,
                        worker_id = excluded.worker_id, lease_expires_at = excluded.lease_expires_at, started_at = excluded.started_at,
                        finished_at = excluded.finished_at, error = excluded.error, depends_on = excluded.depends_on, kind = excluded.kind,
                        variants = excluded.variants, rendered_by = excluded.rendered_by
                    """,
                    cancellationToken, Rows.StageParameters(stage));
            }

            foreach (var stage in changes.Unpublished)
            {
                await db.ExecuteAsync(connection, transaction,
                    "INSERT INTO unpublished_dispatches (stage_id, attempt, job_id, created_at) VALUES ($stage, $attempt, $job, $at) ON CONFLICT (stage_id, attempt) DO UPDATE SET created_at = excluded.created_at",
                    cancellationToken, ("$stage", stage.Id), ("$attempt", stage.Attempt), ("$job", job.Id), ("$at", db.Clock.GetUtcNow().ToUnixTimeMilliseconds()));
            }

            foreach (var output in changes.Outputs)
            {
                await db.ExecuteAsync(connection, transaction,
                    "INSERT INTO outputs (job_id, name, payload) VALUES ($job, $name, $payload) ON CONFLICT (job_id, name) DO UPDATE SET payload = excluded.payload",
                    cancellationToken, ("$job", job.Id), ("$name", output.Name), ("$payload", output.ToByteArray()));
            }

            if (changes.TidyRunsAt is { } tidy)
            {
                await db.ExecuteAsync(connection, transaction,
                    "INSERT INTO run_tidies (job_id, tenant, due_at) VALUES ($job, $tenant, $due) ON CONFLICT (job_id) DO UPDATE SET due_at = excluded.due_at",
                    cancellationToken, ("$job", job.Id), ("$tenant", job.Tenant), ("$due", tidy.ToUnixTimeMilliseconds()));
            }

            await transaction.CommitAsync(cancellationToken);
            return committed;
        }
    }

    /// <summary>Records what the job's documents name in storage (<see cref="JobReferences"/>) and marks the job indexed.</summary>
    internal static async Task WriteReferencesAsync(SqlDatabase db, System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, JobRecord job, CancellationToken cancellationToken)
    {
        foreach (var reference in JobReferences.Of(job))
        {
            await db.ExecuteAsync(connection, transaction, "INSERT INTO job_references (job_id, ref) VALUES ($job, $ref) ON CONFLICT (job_id, ref) DO NOTHING", cancellationToken,
                ("$job", job.Id), ("$ref", reference));
        }

        await db.ExecuteAsync(connection, transaction, "UPDATE jobs SET references_indexed = 1 WHERE id = $id", cancellationToken, ("$id", job.Id));
    }

    /// <summary>The stage an event is about (kept in a column so a stage's heartbeats can be compacted).</summary>
    private static string EventStage(JobEvent jobEvent) => jobEvent.EventCase switch
    {
        JobEvent.EventOneofCase.Progress => jobEvent.Progress.StageId,
        JobEvent.EventOneofCase.StageChanged => jobEvent.StageChanged.StageId,
        _ => string.Empty,
    };

    public async Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        (await db.QueryAsync($"SELECT {Rows.JobColumns} FROM jobs WHERE id = $id", Rows.Job, cancellationToken, ("$id", jobId))) is [var job, ..] ? job : null;

    public async Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken) =>
        (await db.QueryAsync($"SELECT {Rows.JobColumns} FROM jobs WHERE tenant = $tenant AND idempotency_key = $key", Rows.Job, cancellationToken, ("$tenant", tenant), ("$key", idempotencyKey)))
            is [var job, ..] ? job : null;

    public async Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Rows.JobColumns} FROM jobs j WHERE tenant = $tenant");
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
        var jobs = await db.QueryAsync(sql.ToString(), Rows.Job, cancellationToken, [.. parameters]);
        if (jobs.Count <= query.PageSize)
        {
            return new JobPage(jobs, string.Empty);
        }

        var page = jobs.Take(query.PageSize).ToList();
        return new JobPage(page, PageCursor.Encode(page[^1].CreatedAt.ToUnixTimeMilliseconds(), page[^1].Id));
    }

    public async Task<IReadOnlyList<StageRecord>> GetStagesAsync(string jobId, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {Rows.StageColumns} FROM stages WHERE job_id = $job ORDER BY kind, id", Rows.Stage, cancellationToken, ("$job", jobId));

    public async Task<StageRecord?> GetStageAsync(string stageId, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {Rows.StageColumns} FROM stages WHERE id = $id", Rows.Stage, cancellationToken, ("$id", stageId)) is [var stage, ..] ? stage : null;

    public async Task<IReadOnlyDictionary<string, JobDetails>> GetJobDetailsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0)
        {
            return new Dictionary<string, JobDetails>();
        }

        // One placeholder per id ($j0, $j1 …): the ids are values, never spliced into the SQL.
        var parameters = jobIds.Select((id, i) => ($"$j{i.ToString(CultureInfo.InvariantCulture)}", (object?)id)).ToArray();
        var list = string.Join(", ", parameters.Select(p => p.Item1));
        var stages = await db.QueryAsync($"SELECT {Rows.StageColumns} FROM stages WHERE job_id IN ({list}) ORDER BY job_id, kind, id", Rows.Stage, cancellationToken, parameters);
        var publications = await db.QueryAsync($"SELECT {Rows.PublicationColumns} FROM publications WHERE job_id IN ({list})", Rows.Publication, cancellationToken, parameters);
        var outputs = await db.QueryAsync($"SELECT job_id, payload FROM outputs WHERE job_id IN ({list}) ORDER BY job_id, name",
            r => (JobId: r.GetString(0), Output: Output.Parser.ParseFrom((byte[])r[1])), cancellationToken, parameters);

        var stagesByJob = stages.ToLookup(s => s.JobId, StringComparer.Ordinal);
        var outputsByJob = outputs.ToLookup(o => o.JobId, o => o.Output, StringComparer.Ordinal);
        var publicationByJob = publications.ToDictionary(p => p.JobId, StringComparer.Ordinal);
        return jobIds.Distinct(StringComparer.Ordinal).ToDictionary(
            id => id,
            id => new JobDetails([.. stagesByJob[id]], [.. outputsByJob[id]], publicationByJob.GetValueOrDefault(id)),
            StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Output>> GetOutputsAsync(string jobId, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT payload FROM outputs WHERE job_id = $job ORDER BY name", r => Output.Parser.ParseFrom((byte[])r[0]), cancellationToken, ("$job", jobId));

    public async Task<IReadOnlyList<JobEvent>> GetEventsAsync(string jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT payload FROM events WHERE job_id = $job AND sequence > $after ORDER BY sequence LIMIT $limit",
            r => JobEvent.Parser.ParseFrom((byte[])r[0]), cancellationToken, ("$job", jobId), ("$after", afterSequence), ("$limit", limit));

    private async Task WriteJobAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, JobRecord job, bool isNew, CancellationToken cancellationToken)
    {
        var sql = isNew
            ? $"INSERT INTO jobs ({Rows.JobColumns}) VALUES ($id, $tenant, $ikey, $hash, $pattern, $doc, $source, $params, $labels, $outputs, $priority, $webhook, $state, $progress, $created, $updated, $finished, $info, $error, $seq, $templates, $version, $held, $findings)"
            : "UPDATE jobs SET state = $state, progress = $progress, updated_at = $updated, finished_at = $finished, source_info = $info, error = $error, last_sequence = $seq, held = $held, findings = $findings WHERE id = $id";
        await db.ExecuteAsync(connection, transaction, sql, cancellationToken, Rows.JobParameters(job));
        if (isNew)
        {
            await WriteReferencesAsync(db, connection, transaction, job, cancellationToken);
            foreach (var (key, value) in job.Labels)
            {
                await db.ExecuteAsync(connection, transaction, "INSERT INTO job_labels (job_id, key, value) VALUES ($job, $key, $value)", cancellationToken,
                    ("$job", job.Id), ("$key", key), ("$value", value));
            }
        }
    }
}
