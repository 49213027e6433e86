using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Media.JobApi.Store;

/// <summary>
/// The distributed job store on PostgreSQL. Same queries as SQLite; a commit locks the job's row
/// (SELECT … FOR UPDATE) so concurrent API replicas never hand out the same event sequence. Migrations run at
/// start under an advisory lock, so replicas starting together apply each one exactly once.
/// </summary>
public sealed partial class PostgresJobStore(IOptions<PostgresStoreOptions> options) : SqlJobStore, IAsyncDisposable, IDisposable
{
    // Append only: a deployed migration never changes; a new schema change is a new entry.
    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                tenant TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                pattern_name TEXT NOT NULL,
                pattern_document TEXT NOT NULL,
                source_key TEXT NOT NULL,
                parameters TEXT NOT NULL,
                labels TEXT NOT NULL,
                outputs_wanted TEXT NOT NULL,
                priority INTEGER NOT NULL,
                webhook_url TEXT NOT NULL,
                state INTEGER NOT NULL,
                progress DOUBLE PRECISION NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                finished_at BIGINT NULL,
                source_info BYTEA NULL,
                error BYTEA NULL,
                last_sequence BIGINT NOT NULL,
                templates TEXT NOT NULL DEFAULT '{}'
            );
            CREATE UNIQUE INDEX ix_jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key <> '';
            CREATE INDEX ix_jobs_list ON jobs (tenant, created_at DESC, id DESC);
            CREATE INDEX ix_jobs_state ON jobs (state);
            CREATE TABLE job_labels (job_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (job_id, key));
            CREATE INDEX ix_job_labels ON job_labels (key, value);
            CREATE TABLE stages (
                id TEXT PRIMARY KEY,
                job_id TEXT NOT NULL,
                kind INTEGER NOT NULL,
                state INTEGER NOT NULL,
                output_name TEXT NOT NULL,
                depends_on TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                failures INTEGER NOT NULL,
                progress DOUBLE PRECISION NOT NULL,
                worker_id TEXT NOT NULL,
                lease_expires_at BIGINT NULL,
                started_at BIGINT NULL,
                finished_at BIGINT NULL,
                error BYTEA NULL
            );
            CREATE INDEX ix_stages_job ON stages (job_id);
            CREATE INDEX ix_stages_due ON stages (state, lease_expires_at);
            CREATE TABLE outputs (job_id TEXT NOT NULL, name TEXT NOT NULL, payload BYTEA NOT NULL, PRIMARY KEY (job_id, name));
            CREATE TABLE events (job_id TEXT NOT NULL, sequence BIGINT NOT NULL, payload BYTEA NOT NULL, PRIMARY KEY (job_id, sequence));
            CREATE TABLE uploads (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, key TEXT NOT NULL, file_name TEXT NOT NULL,
                content_type TEXT NOT NULL, size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, created_at BIGINT NOT NULL
            );
            CREATE TABLE thumbnail_templates (
                tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name)
            );
            """),
        (2, "ALTER TABLE jobs ADD COLUMN version BIGINT NOT NULL DEFAULT 0"),
        (3, """
            CREATE TABLE pending_uploads (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, key TEXT NOT NULL, file_name TEXT NOT NULL, content_type TEXT NOT NULL,
                size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, storage_upload_id TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
            )
            """),
        (4, "CREATE TABLE tenant_patterns (tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name))"),
        (5, "CREATE TABLE engagement (tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name))"),
        (6, "CREATE TABLE webhook_deliveries (tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name))"),
        (7, "CREATE TABLE api_keys (tenant TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, name)); CREATE UNIQUE INDEX api_keys_by_id ON api_keys (name)"),
        (8, "CREATE TABLE publications (job_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, publish_at BIGINT NOT NULL, state INTEGER NOT NULL, document TEXT NOT NULL); CREATE INDEX ix_publications_due ON publications (state, publish_at)"),
        (9, "ALTER TABLE stages ADD COLUMN pool TEXT NOT NULL DEFAULT 'cpu'"),
        (10, "CREATE INDEX ix_jobs_webhook_finished ON jobs (finished_at) WHERE webhook_url <> ''"),
    ];

    private const long MigrationLockKey = 0x4D656469614A6F62; // "MediaJob"

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(options.Value.ConnectionString);

    protected override string LockRowClause => " FOR UPDATE";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($key)", cancellationToken, ("$key", MigrationLockKey));
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)", cancellationToken);
        var current = await ScalarLongAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken);
        foreach (var (version, sql) in Migrations.Where(m => m.Version > current))
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $at)", cancellationToken,
                ("$version", version), ("$at", DateTimeOffset.UnixEpoch.ToUnixTimeMilliseconds()));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // Npgsql takes @name parameters; the shared queries are written with $name.
    protected override string Dialect(string sql) => DollarParameter().Replace(sql, "@$1");

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex DollarParameter();
}
