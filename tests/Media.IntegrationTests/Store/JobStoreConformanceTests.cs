using Media.JobApi.Store;

namespace Media.IntegrationTests.Store;

public sealed class SqliteJobStoreConformanceTests : JobStoreConformance
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "media-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<JobDatabase> CreateDatabaseAsync() => Task.FromResult(JobDatabase.Sqlite(_directory));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
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
    protected override async Task<JobDatabase> CreateDatabaseAsync() => JobDatabase.Postgres(await server.CreateDatabaseAsync());
}
