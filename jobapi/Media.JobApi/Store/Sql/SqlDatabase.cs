using System.Data.Common;
using System.Globalization;

namespace Media.JobApi.Store.Sql;

/// <summary>
/// The one SQL helper every store uses: connections, the dialect (SQLite or PostgreSQL), how writes are serialised and
/// rows locked, parameterised commands, and the schema's migrations. Queries are written once, in portable SQL with
/// $name parameters; values always travel as parameters, never spliced into the text.
/// </summary>
public abstract class SqlDatabase(TimeProvider time) : IAsyncDisposable
{
    /// <summary>The clock rows are stamped with (migrations, records of pending deletions).</summary>
    public TimeProvider Clock => time;

    /// <summary>Appended to the read of a job's sequence inside a commit (" FOR UPDATE" where rows can be locked).</summary>
    public virtual string LockRowClause => string.Empty;

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Held around every write; SQLite serialises writers in-process, PostgreSQL needs nothing.</summary>
    public virtual Task<IDisposable> WriteLockAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable>(NoLock.Instance);

    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Applies the migrations of <see cref="SchemaMigrations"/> this database has not seen yet.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>Rewrites portable SQL into this dialect (parameter markers, type names).</summary>
    protected virtual string Dialect(string sql) => sql;

    /// <summary>Whether the table already has the column (migrations add columns only once).</summary>
    protected abstract Task<bool> HasColumnAsync(DbConnection connection, DbTransaction transaction, string table, string column, CancellationToken cancellationToken);

    public DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
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

    /// <summary>Runs a statement on an open connection; returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One write on its own connection, under the write lock; returns the rows it changed.</summary>
    public async Task<int> WriteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using (await WriteLockAsync(cancellationToken))
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await ExecuteAsync(connection, null, sql, cancellationToken, parameters);
        }
    }

    public async Task<long> ScalarLongAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>A scalar on its own connection.</summary>
    public async Task<long> ScalarLongAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ScalarLongAsync(connection, null, sql, cancellationToken, parameters);
    }

    /// <summary>Reads every row of a query on its own connection.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ScalarLongAsync("SELECT 1", cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>
    /// Applies, in one transaction, every migration newer than the last one recorded. Each step is written so that it can
    /// meet a table that already has it (a database made by an earlier release that did not record its migrations).
    /// </summary>
    protected async Task ApplyMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)", cancellationToken);
        var current = await ScalarLongAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken);
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version > current))
        {
            foreach (var step in migration.Steps)
            {
                if (step is AddColumn add)
                {
                    if (!await HasColumnAsync(connection, transaction, add.Table, add.Column, cancellationToken))
                    {
                        await ExecuteAsync(connection, transaction, $"ALTER TABLE {add.Table} ADD COLUMN {add.Column} {add.Definition}", cancellationToken);
                    }
                }
                else if (step is SqlStep sql)
                {
                    await ExecuteAsync(connection, transaction, sql.Sql, cancellationToken);
                }
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $at)", cancellationToken,
                ("$version", migration.Version), ("$at", time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    public static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
