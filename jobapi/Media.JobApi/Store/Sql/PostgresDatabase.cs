using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace Media.JobApi.Store.Sql;

/// <summary>
/// The distributed database on PostgreSQL. Same queries as SQLite; a commit locks the job's row (SELECT … FOR UPDATE) so
/// concurrent API replicas never hand out the same event sequence. Migrations run at start under an advisory lock, so
/// replicas starting together apply each one exactly once.
/// </summary>
public sealed partial class PostgresDatabase(string connectionString, TimeProvider? time = null) : SqlDatabase(time ?? TimeProvider.System)
{
    private const long MigrationLockKey = 0x4D656469614A6F62; // "MediaJob"

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string LockRowClause => " FOR UPDATE";

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($key)", cancellationToken, ("$key", MigrationLockKey));
        await ApplyMigrationsAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _dataSource.OpenConnectionAsync(cancellationToken);

    public override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async Task<bool> HasColumnAsync(DbConnection connection, DbTransaction transaction, string table, string column, CancellationToken cancellationToken) =>
        await ScalarLongAsync(connection, transaction,
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $table AND column_name = $column",
            cancellationToken, ("$table", table), ("$column", column)) > 0;

    // Npgsql takes @name parameters; the shared queries are written with $name. BLOB is BYTEA here.
    protected override string Dialect(string sql) => Blob().Replace(DollarParameter().Replace(sql, "@$1"), "BYTEA");

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex DollarParameter();

    [GeneratedRegex(@"\bBLOB\b")]
    private static partial Regex Blob();
}
