using Media.JobApi;
using Media.JobApi.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Media.UnitTests.Orchestration;

public sealed class SqliteJobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task InitializeAsync_DatabaseFromFirstSchema_AddsTemplatesAndKeepsJobs()
    {
        Directory.CreateDirectory(_root);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "jobs.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
                    pattern_name TEXT NOT NULL, pattern_document TEXT NOT NULL, source_key TEXT NOT NULL, parameters TEXT NOT NULL,
                    labels TEXT NOT NULL, outputs_wanted TEXT NOT NULL, priority INTEGER NOT NULL, webhook_url TEXT NOT NULL,
                    state INTEGER NOT NULL, progress REAL NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    finished_at INTEGER NULL, source_info BLOB NULL, error BLOB NULL, last_sequence INTEGER NOT NULL);
                INSERT INTO jobs VALUES ('job_old', 'default', '', '', 'reframe-vertical', 'doc', 'k', '{}', '{}', '[]', 2, '', 3, 1, 1, 1, 1, NULL, NULL, 4);
                """;
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        using var store = new SqliteJobStore(Options.Create(new JobApiOptions { DataDirectory = _root }));
        await store.InitializeAsync(CancellationToken.None);
        await store.InitializeAsync(CancellationToken.None);

        var old = await store.GetJobAsync("job_old", CancellationToken.None);
        Assert.NotNull(old);
        Assert.Empty(old.Templates);
        await store.PutTemplateAsync(new StoredDocument("default", "t", "doc", DateTimeOffset.UnixEpoch), CancellationToken.None);
        Assert.Single(await store.ListTemplatesAsync("default", CancellationToken.None));
        Assert.Empty(await store.ListTemplatesAsync("other", CancellationToken.None));
    }

    [Fact]
    public async Task InitializeAsync_StagesWithoutPool_GetTheCpuPoolAndKeepTheirRows()
    {
        Directory.CreateDirectory(_root);
        using (var first = new SqliteJobStore(Options.Create(new JobApiOptions { DataDirectory = _root })))
        {
            await first.InitializeAsync(CancellationToken.None);
        }

        // A database from before GPU pools (user_version 7): no pool column.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "jobs.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                ALTER TABLE stages DROP COLUMN pool;
                INSERT INTO stages (id, job_id, kind, state, output_name, depends_on, attempt, failures, progress, worker_id)
                    VALUES ('job_old.render.v', 'job_old', 3, 1, 'v', '[]', 0, 0, 0, '');
                PRAGMA user_version = 7;
                """;
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        using var store = new SqliteJobStore(Options.Create(new JobApiOptions { DataDirectory = _root }));
        await store.InitializeAsync(CancellationToken.None);

        Assert.Equal("cpu", (await store.GetStageAsync("job_old.render.v", CancellationToken.None))!.Pool);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
