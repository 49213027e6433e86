using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Store;

/// <summary>
/// The embedded job store: one SQLite file (WAL) under the data folder. Writes are serialised in-process
/// (SQLite has one writer anyway) so transitions never meet SQLITE_BUSY; reads run concurrently.
/// </summary>
public sealed class SqliteJobStore : SqlJobStore, IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS jobs (
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
            progress REAL NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            finished_at INTEGER NULL,
            source_info BLOB NULL,
            error BLOB NULL,
            last_sequence INTEGER NOT NULL,
            templates TEXT NOT NULL DEFAULT '{}',
            version INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ix_jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key <> '';
        CREATE INDEX IF NOT EXISTS ix_jobs_list ON jobs (tenant, created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS ix_jobs_state ON jobs (state);
        CREATE INDEX IF NOT EXISTS ix_jobs_webhook_finished ON jobs (finished_at) WHERE webhook_url <> '';
        CREATE TABLE IF NOT EXISTS job_labels (
            job_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (job_id, key)
        );
        CREATE INDEX IF NOT EXISTS ix_job_labels ON job_labels (key, value);
        CREATE TABLE IF NOT EXISTS stages (
            id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            state INTEGER NOT NULL,
            output_name TEXT NOT NULL,
            depends_on TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            failures INTEGER NOT NULL,
            progress REAL NOT NULL,
            worker_id TEXT NOT NULL,
            lease_expires_at INTEGER NULL,
            started_at INTEGER NULL,
            finished_at INTEGER NULL,
            error BLOB NULL,
            pool TEXT NOT NULL DEFAULT 'cpu'
        );
        CREATE INDEX IF NOT EXISTS ix_stages_job ON stages (job_id);
        CREATE INDEX IF NOT EXISTS ix_stages_due ON stages (state, lease_expires_at);
        CREATE TABLE IF NOT EXISTS outputs (
            job_id TEXT NOT NULL,
            name TEXT NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (job_id, name)
        );
        CREATE TABLE IF NOT EXISTS events (
            job_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (job_id, sequence)
        );
        CREATE TABLE IF NOT EXISTS thumbnail_templates (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        CREATE TABLE IF NOT EXISTS uploads (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            file_name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS tenant_patterns (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        CREATE TABLE IF NOT EXISTS pending_uploads (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            file_name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            storage_upload_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        CREATE TABLE IF NOT EXISTS api_keys (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS api_keys_by_id ON api_keys (name);
        CREATE TABLE IF NOT EXISTS publications (
            job_id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            publish_at INTEGER NOT NULL,
            state INTEGER NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_publications_due ON publications (state, publish_at);
        CREATE TABLE IF NOT EXISTS engagement (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)
        );
        """;

    private const int SchemaVersion = 9;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteJobStore(IOptions<JobApiOptions> options)
    {
        var directory = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "jobs.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var version = await ScalarLongAsync(connection, null, "PRAGMA user_version", cancellationToken);
        var hasJobs = await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'", cancellationToken) > 0;
        if (version < 2 && hasJobs
            && await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM pragma_table_info('jobs') WHERE name = 'templates'", cancellationToken) == 0)
        {
            // The first schema had no tenant templates; their table comes from the schema below.
            await ExecuteAsync(connection, null, "ALTER TABLE jobs ADD COLUMN templates TEXT NOT NULL DEFAULT '{}'", cancellationToken);
        }

        if (version < 8
            && await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'stages'", cancellationToken) > 0
            && await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM pragma_table_info('stages') WHERE name = 'pool'", cancellationToken) == 0)
        {
            // Worker pools per stage came with GPU pools; every earlier stage ran on the CPU pool.
            await ExecuteAsync(connection, null, "ALTER TABLE stages ADD COLUMN pool TEXT NOT NULL DEFAULT 'cpu'", cancellationToken);
        }

        if (version < 3 && hasJobs
            && await ScalarLongAsync(connection, null, "SELECT COUNT(*) FROM pragma_table_info('jobs') WHERE name = 'version'", cancellationToken) == 0)
        {
            // Optimistic versions came with replica safety.
            await ExecuteAsync(connection, null, "ALTER TABLE jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 0", cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Schema + $"\nPRAGMA user_version = {SchemaVersion};";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => _writeGate.Dispose();

    protected override async Task<IDisposable> WriteLockAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        return new Release(_writeGate);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // SQLITE_CONSTRAINT: the idempotency key's unique index.
    protected override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
