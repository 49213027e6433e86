using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Media.JobApi.Store.Sql;

/// <summary>
/// The embedded database: one SQLite file (WAL) under the data folder. Writes are serialised in-process (SQLite has one
/// writer anyway) so transitions never meet SQLITE_BUSY; reads run concurrently.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteDatabase(string dataDirectory, TimeProvider? time = null)
        : base(time ?? TimeProvider.System)
    {
        var directory = Path.GetFullPath(dataDirectory);
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

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ApplyMigrationsAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public override async Task<IDisposable> WriteLockAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        return new Release(_writeGate);
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // SQLITE_CONSTRAINT: a unique index (the idempotency key's, a claimed delivery's key).
    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    public override ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override async Task<bool> HasColumnAsync(DbConnection connection, DbTransaction transaction, string table, string column, CancellationToken cancellationToken) =>
        await ScalarLongAsync(connection, transaction, "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column", cancellationToken, ("$table", table), ("$column", column)) > 0;

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
