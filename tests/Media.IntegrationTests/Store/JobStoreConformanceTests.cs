using Media.JobApi;
using Media.JobApi.Store;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests.Store;

public sealed class SqliteJobStoreConformanceTests : JobStoreConformance
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "media-sqlite-" + Guid.NewGuid().ToString("N"));
    private SqliteJobStore? _store;

    protected override Task<IJobStore> CreateStoreAsync()
    {
        _store = new SqliteJobStore(Options.Create(new JobApiOptions { DataDirectory = _directory }));
        return Task.FromResult<IJobStore>(_store);
    }

    public override Task DisposeAsync()
    {
        _store?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobStoreConformanceTests(PostgresServer server) : JobStoreConformance
{
    private PostgresJobStore? _store;

    protected override async Task<IJobStore> CreateStoreAsync()
    {
        _store = new PostgresJobStore(Options.Create(new PostgresStoreOptions { ConnectionString = await server.CreateDatabaseAsync() }));
        return _store;
    }

    public override async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
