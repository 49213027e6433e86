using Media.JobApi.Store;
using Media.Protos.V1;
using Microsoft.Data.Sqlite;

namespace Media.UnitTests.Store;

/// <summary>SQLite databases made by earlier releases (numbered by user_version, without schema_migrations) come up to date in place.</summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task MigrateAsync_DatabaseFromFirstSchema_AddsTemplatesAndKeepsJobs()
    {
        await RunSqlAsync("""
            CREATE TABLE jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
                pattern_name TEXT NOT NULL, pattern_document TEXT NOT NULL, source_key TEXT NOT NULL, parameters TEXT NOT NULL,
                labels TEXT NOT NULL, outputs_wanted TEXT NOT NULL, priority INTEGER NOT NULL, webhook_url TEXT NOT NULL,
                state INTEGER NOT NULL, progress REAL NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                finished_at INTEGER NULL, source_info BLOB NULL, error BLOB NULL, last_sequence INTEGER NOT NULL);
            INSERT INTO jobs VALUES ('job_old', 'default', '', '', 'reframe-vertical', 'doc', 'k', '{}', '{}', '[]', 2, '', 3, 1, 1, 1, 1, NULL, NULL, 4);
            """);

        await using var database = JobDatabase.Sqlite(_root);
        await database.MigrateAsync(CancellationToken.None);
        await database.MigrateAsync(CancellationToken.None);

        var old = await database.Jobs.GetJobAsync("job_old", CancellationToken.None);
        Assert.NotNull(old);
        Assert.Empty(old.Templates);
        await database.Documents.Templates.PutAsync(new StoredDocument("default", "t", "doc", DateTimeOffset.UnixEpoch), CancellationToken.None);
        Assert.Single(await database.Documents.Templates.ListAsync("default", CancellationToken.None));
        Assert.Empty(await database.Documents.Templates.ListAsync("other", CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_StagesWithoutPool_GetTheCpuPoolAndKeepTheirRows()
    {
        await using (var first = JobDatabase.Sqlite(_root))
        {
            await first.MigrateAsync(CancellationToken.None);
        }

        // A database from before GPU pools (user_version 7): no pool column, no record of migrations.
        await RunSqlAsync("""
            ALTER TABLE stages DROP COLUMN pool;
            DROP TABLE schema_migrations;
            INSERT INTO stages (id, job_id, kind, state, output_name, depends_on, attempt, failures, progress, worker_id)
                VALUES ('job_old.render.v', 'job_old', 3, 1, 'v', '[]', 0, 0, 0, '');
            PRAGMA user_version = 7;
            """);

        await using var database = JobDatabase.Sqlite(_root);
        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal("cpu", (await database.Jobs.GetStageAsync("job_old.render.v", CancellationToken.None))!.Pool);
    }

    [Fact]
    public async Task MigrateAsync_LastSchemaBeforeOneMigrationList_GetsDeliveryStatesHeldJobsAndClipNumbers()
    {
        // The tables as the SQLite store of the previous release left them (user_version 9): deliveries keep their
        // state only inside their JSON, and a held job is one whose stages were never dispatched.
        await using (var first = JobDatabase.Sqlite(_root))
        {
            await first.MigrateAsync(CancellationToken.None);
        }

        await RunSqlAsync($"""
            ALTER TABLE webhook_deliveries DROP COLUMN state;
            DROP INDEX ix_jobs_held;
            ALTER TABLE jobs DROP COLUMN held;
            ALTER TABLE stages DROP COLUMN pattern_output;
            ALTER TABLE stages DROP COLUMN clip;
            DROP TABLE schema_migrations;
            PRAGMA user_version = 9;
            INSERT INTO jobs (id, tenant, idempotency_key, request_hash, pattern_name, pattern_document, source_key, parameters, labels, outputs_wanted,
                priority, webhook_url, state, progress, created_at, updated_at, last_sequence, templates, version)
                VALUES ('held', 'acme', '', '', 'p', 'doc', 'k', '{"{}"}', '{"{}"}', '[]', 2, '', {(int)JobState.Queued}, 0, 1, 1, 0, '{"{}"}', 0),
                       ('admitted', 'acme', '', '', 'p', 'doc', 'k', '{"{}"}', '{"{}"}', '[]', 2, '', {(int)JobState.Queued}, 0, 2, 2, 0, '{"{}"}', 0);
            INSERT INTO stages (id, job_id, kind, state, output_name, depends_on, attempt, failures, progress, worker_id)
                VALUES ('held.probe', 'held', 1, 1, '', '[]', 0, 0, 0, ''), ('admitted.probe', 'admitted', 1, 2, '', '[]', 1, 0, 0, ''),
                       ('admitted.render.vertical-clip2', 'admitted', {(int)StageKind.Render}, 1, 'vertical-clip2', '[]', 0, 0, 0, ''),
                       ('admitted.render.square-clip12', 'admitted', {(int)StageKind.Render}, 1, 'square-clip12', '[]', 0, 0, 0, ''),
                       ('admitted.render.my-clipz', 'admitted', {(int)StageKind.Render}, 1, 'my-clipz', '[]', 0, 0, 0, '');
            INSERT INTO webhook_deliveries (tenant, name, document, updated_at) VALUES
                ('acme', 'a', '{"{"}"jobId":"a","state":"retrying","attempts":[]{"}"}', 5),
                ('acme', 'b', '{"{"}"jobId":"b","state":"delivered","attempts":[]{"}"}', 5);
            """);

        await using var database = JobDatabase.Sqlite(_root);
        await database.MigrateAsync(CancellationToken.None);

        Assert.True((await database.Jobs.GetJobAsync("held", CancellationToken.None))!.Held);
        Assert.False((await database.Jobs.GetJobAsync("admitted", CancellationToken.None))!.Held);
        Assert.Equal(["held"], await database.Queries.GetHeldJobIdsAsync("acme", 10, CancellationToken.None));
        Assert.Equal(1, await database.Queries.CountAdmittedJobsAsync("acme", CancellationToken.None));
        Assert.Equal(["retrying:a", "delivered:b"], await ReadAsync("SELECT state || ':' || name FROM webhook_deliveries ORDER BY name"));
        var renders = (await database.Jobs.GetStagesAsync("admitted", CancellationToken.None)).Where(s => s.Kind == StageKind.Render).ToDictionary(s => s.OutputName, s => (s.PatternOutput, s.Clip));
        Assert.Equal(("vertical", 2), renders["vertical-clip2"]);
        Assert.Equal(("square", 12), renders["square-clip12"]);
        Assert.Equal(("my-clipz", 0), renders["my-clipz"]);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private async Task RunSqlAsync(string sql)
    {
        Directory.CreateDirectory(_root);
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "jobs.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
    }

    private async Task<List<string>> ReadAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "jobs.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
