using System.Globalization;
using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>One step of a migration: portable SQL, or a column added only where it is missing.</summary>
public abstract record MigrationStep;

/// <summary>Portable DDL or data SQL; CREATE statements say IF NOT EXISTS, so a table an earlier release made is kept.</summary>
public sealed record SqlStep(string Sql) : MigrationStep;

/// <summary>ALTER TABLE … ADD COLUMN, skipped where the column exists.</summary>
public sealed record AddColumn(string Table, string Column, string Definition) : MigrationStep;

public sealed record Migration(int Version, IReadOnlyList<MigrationStep> Steps);

/// <summary>
/// The schema of the job store, as one ordered list of migrations shared by SQLite and PostgreSQL. Append only: a
/// released migration never changes; a schema change is a new entry. Types are written portably (BLOB becomes BYTEA on
/// PostgreSQL; SQLite reads BIGINT and DOUBLE PRECISION by affinity). Versions 1 to 10 are the PostgreSQL migrations of
/// earlier releases, whose SQLite databases (numbered by user_version) hold the same tables: applying the list to
/// either finds them and adds only what is missing.
/// </summary>
public static class SchemaMigrations
{
    private static readonly string Queued = ((int)JobState.Queued).ToString(CultureInfo.InvariantCulture);
    private static readonly string Render = ((int)StageKind.Render).ToString(CultureInfo.InvariantCulture);

    private static SqlStep Sql(string sql) => new(sql);

    private static SqlStep DocumentTable(string table) =>
        Sql($"CREATE TABLE IF NOT EXISTS {table} (tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name))");

    public static readonly IReadOnlyList<Migration> All =
    [
        new(1,
        [
            Sql("""
                CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
                    pattern_name TEXT NOT NULL, pattern_document TEXT NOT NULL, source_key TEXT NOT NULL, parameters TEXT NOT NULL,
                    labels TEXT NOT NULL, outputs_wanted TEXT NOT NULL, priority INTEGER NOT NULL, webhook_url TEXT NOT NULL,
                    state INTEGER NOT NULL, progress DOUBLE PRECISION NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    finished_at BIGINT NULL, source_info BLOB NULL, error BLOB NULL, last_sequence BIGINT NOT NULL)
                """),
            // The first SQLite schema had no templates column.
            new AddColumn("jobs", "templates", "TEXT NOT NULL DEFAULT '{}'"),
            Sql("CREATE UNIQUE INDEX IF NOT EXISTS ix_jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key <> ''"),
            Sql("CREATE INDEX IF NOT EXISTS ix_jobs_list ON jobs (tenant, created_at DESC, id DESC)"),
            Sql("CREATE INDEX IF NOT EXISTS ix_jobs_state ON jobs (state)"),
            Sql("CREATE TABLE IF NOT EXISTS job_labels (job_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (job_id, key))"),
            Sql("CREATE INDEX IF NOT EXISTS ix_job_labels ON job_labels (key, value)"),
            Sql("""
                CREATE TABLE IF NOT EXISTS stages (
                    id TEXT PRIMARY KEY, job_id TEXT NOT NULL, kind INTEGER NOT NULL, state INTEGER NOT NULL, output_name TEXT NOT NULL,
                    depends_on TEXT NOT NULL, attempt INTEGER NOT NULL, failures INTEGER NOT NULL, progress DOUBLE PRECISION NOT NULL,
                    worker_id TEXT NOT NULL, lease_expires_at BIGINT NULL, started_at BIGINT NULL, finished_at BIGINT NULL, error BLOB NULL)
                """),
            Sql("CREATE INDEX IF NOT EXISTS ix_stages_job ON stages (job_id)"),
            Sql("CREATE INDEX IF NOT EXISTS ix_stages_due ON stages (state, lease_expires_at)"),
            Sql("CREATE TABLE IF NOT EXISTS outputs (job_id TEXT NOT NULL, name TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (job_id, name))"),
            Sql("CREATE TABLE IF NOT EXISTS events (job_id TEXT NOT NULL, sequence BIGINT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (job_id, sequence))"),
            Sql("""
                CREATE TABLE IF NOT EXISTS uploads (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, key TEXT NOT NULL, file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL, size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, created_at BIGINT NOT NULL)
                """),
            DocumentTable("thumbnail_templates"),
        ]),
        new(2, [new AddColumn("jobs", "version", "BIGINT NOT NULL DEFAULT 0")]),
        new(3,
        [
            Sql("""
                CREATE TABLE IF NOT EXISTS pending_uploads (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, key TEXT NOT NULL, file_name TEXT NOT NULL, content_type TEXT NOT NULL,
                    size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, storage_upload_id TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """),
        ]),
        new(4, [DocumentTable("tenant_patterns")]),
        new(5, [DocumentTable("engagement")]),
        new(6, [DocumentTable("webhook_deliveries")]),
        new(7, [DocumentTable("api_keys"), Sql("CREATE UNIQUE INDEX IF NOT EXISTS api_keys_by_id ON api_keys (name)")]),
        new(8,
        [
            Sql("CREATE TABLE IF NOT EXISTS publications (job_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, publish_at BIGINT NOT NULL, state INTEGER NOT NULL, document TEXT NOT NULL)"),
            Sql("CREATE INDEX IF NOT EXISTS ix_publications_due ON publications (state, publish_at)"),
        ]),
        // Worker pools per stage came with GPU pools; every earlier stage ran on the CPU pool.
        new(9, [new AddColumn("stages", "pool", "TEXT NOT NULL DEFAULT 'cpu'")]),
        new(10, [Sql("CREATE INDEX IF NOT EXISTS ix_jobs_webhook_finished ON jobs (finished_at) WHERE webhook_url <> ''")]),

        // A delivery's state in a column of its own (it was read with LIKE from the delivery's JSON).
        new(11,
        [
            new AddColumn("webhook_deliveries", "state", "TEXT NOT NULL DEFAULT ''"),
            Sql("""UPDATE webhook_deliveries SET state = 'retrying' WHERE state = '' AND document LIKE '%"state":"retrying"%'"""),
            Sql("""UPDATE webhook_deliveries SET state = 'delivered' WHERE state = '' AND document LIKE '%"state":"delivered"%'"""),
            Sql("""UPDATE webhook_deliveries SET state = 'failed' WHERE state = '' AND document LIKE '%"state":"failed"%'"""),
        ]),

        // "Held" (queued behind the tenant's running-jobs allowance) is a column, not a query over the stages.
        new(12,
        [
            new AddColumn("jobs", "held", "INTEGER NOT NULL DEFAULT 0"),
            Sql($"UPDATE jobs SET held = 1 WHERE state = {Queued} AND NOT EXISTS (SELECT 1 FROM stages s WHERE s.job_id = jobs.id AND s.attempt > 0)"),
            Sql("CREATE INDEX IF NOT EXISTS ix_jobs_held ON jobs (tenant, priority, created_at, id) WHERE held = 1"),
        ]),

        // A render stage says which pattern output and which fan-out clip it makes (its name "vertical-clip2" was parsed).
        new(13,
        [
            new AddColumn("stages", "pattern_output", "TEXT NOT NULL DEFAULT ''"),
            new AddColumn("stages", "clip", "INTEGER NOT NULL DEFAULT 0"),
            Sql($"UPDATE stages SET pattern_output = output_name WHERE kind = {Render} AND pattern_output = ''"),
            Sql($"""
                UPDATE stages SET clip = CAST(substr(output_name, length(output_name), 1) AS INTEGER), pattern_output = substr(output_name, 1, length(output_name) - 6)
                WHERE kind = {Render} AND output_name LIKE '%-clip_' AND substr(output_name, length(output_name), 1) BETWEEN '0' AND '9'
                """),
            Sql($"""
                UPDATE stages SET clip = CAST(substr(output_name, length(output_name) - 1, 2) AS INTEGER), pattern_output = substr(output_name, 1, length(output_name) - 7)
                WHERE kind = {Render} AND output_name LIKE '%-clip__'
                  AND substr(output_name, length(output_name) - 1, 1) BETWEEN '0' AND '9' AND substr(output_name, length(output_name), 1) BETWEEN '0' AND '9'
                """),
        ]),

        // Revisions of an output (Jobs.ReviseOutput) are render stages of their own.
        new(14, [new AddColumn("stages", "revision", "INTEGER NOT NULL DEFAULT 1"), new AddColumn("stages", "plan_key", "TEXT NOT NULL DEFAULT ''")]),
        // Chunked analysis: the time range an analyze-chunk stage measures.
        new(15, [new AddColumn("stages", "range_start", "DOUBLE PRECISION"), new AddColumn("stages", "range_end", "DOUBLE PRECISION")]),
        new(16, [new AddColumn("jobs", "findings", "BLOB")]),

        // Storage that does not grow without bound: an event's kind and stage in columns, so a stage's progress
        // heartbeats can be compacted when it ends; what each job's documents name (uploads, other jobs' outputs),
        // indexed, so retention asks "does a job still use this?" without scanning documents (rows of earlier releases
        // are indexed by the retention sweep, which decides nothing about uploads until it has); and the objects a
        // deleted job or upload leaves to remove, written in the same transaction as the deletion, so a crash between
        // the rows and the objects orphans nothing.
        new(17,
        [
            new AddColumn("events", "kind", "INTEGER NOT NULL DEFAULT 0"),
            new AddColumn("events", "stage_id", "TEXT NOT NULL DEFAULT ''"),
            Sql("CREATE TABLE IF NOT EXISTS job_references (job_id TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (job_id, ref))"),
            Sql("CREATE INDEX IF NOT EXISTS ix_job_references_ref ON job_references (ref)"),
            new AddColumn("jobs", "references_indexed", "INTEGER NOT NULL DEFAULT 0"),
            Sql("CREATE INDEX IF NOT EXISTS ix_jobs_unindexed ON jobs (id) WHERE references_indexed = 0"),
            Sql("CREATE INDEX IF NOT EXISTS ix_jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL"),
            Sql("CREATE INDEX IF NOT EXISTS ix_uploads_created ON uploads (created_at)"),
            Sql("CREATE TABLE IF NOT EXISTS blob_deletions (key TEXT PRIMARY KEY, is_prefix INTEGER NOT NULL, created_at BIGINT NOT NULL)"),
        ]),

        // Dispatches committed but not yet confirmed on the bus (an outbox): a replica killed between the commit that
        // dispatches a stage and the publish would otherwise leave it dispatched forever (found by media bench-chaos).
        new(18,
        [
            Sql("CREATE TABLE IF NOT EXISTS unpublished_dispatches (stage_id TEXT NOT NULL, attempt INTEGER NOT NULL, job_id TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (stage_id, attempt))"),
            Sql("CREATE INDEX IF NOT EXISTS ix_unpublished_dispatches_created ON unpublished_dispatches (created_at)"),
        ]),

        // Outputs in a folder per run: ended jobs whose run folders the leftover sweep still has to look through.
        new(19,
        [
            Sql("CREATE TABLE IF NOT EXISTS run_tidies (job_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, due_at BIGINT NOT NULL)"),
            Sql("CREATE INDEX IF NOT EXISTS ix_run_tidies_due ON run_tidies (due_at)"),
        ]),

        // One decode for several variants of an edit: the outputs a render stage also makes, and the stage that makes a variant.
        new(20, [new AddColumn("stages", "variants", "TEXT NOT NULL DEFAULT '[]'"), new AddColumn("stages", "rendered_by", "TEXT NOT NULL DEFAULT ''")]),
    ];
}
