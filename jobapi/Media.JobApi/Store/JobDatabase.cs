using Media.JobApi.Store.Sql;

namespace Media.JobApi.Store;

/// <summary>
/// The farm's database and the stores over it: one SQL helper and one migration list, a focused store per aggregate.
/// SQLite for the embedded farm, PostgreSQL for the distributed one; every query is shared.
/// </summary>
public sealed class JobDatabase : IAsyncDisposable
{
    private readonly SqlDatabase _sql;

    public JobDatabase(SqlDatabase sql)
    {
        _sql = sql;
        Jobs = new SqlJobStore(sql);
        Queries = new SqlOrchestrationQueries(sql);
        Uploads = new SqlUploadStore(sql);
        Documents = new TenantDocumentStores(
            new SqlDocumentStore(sql, TenantDocumentKind.Pattern),
            new SqlDocumentStore(sql, TenantDocumentKind.Template),
            new SqlDocumentStore(sql, TenantDocumentKind.Engagement));
        ApiKeys = new SqlApiKeyStore(sql);
        Webhooks = new SqlWebhookStore(sql);
        Publications = new SqlPublicationStore(sql);
        Retention = new SqlRetentionStore(sql);
    }

    public IJobStore Jobs { get; }

    public IOrchestrationQueries Queries { get; }

    public IUploadStore Uploads { get; }

    public TenantDocumentStores Documents { get; }

    public IApiKeyStore ApiKeys { get; }

    public IWebhookStore Webhooks { get; }

    public IPublicationStore Publications { get; }

    public IRetentionStore Retention { get; }

    /// <summary>The embedded database: jobs.db in <paramref name="dataDirectory"/>.</summary>
    public static JobDatabase Sqlite(string dataDirectory, TimeProvider? time = null) => new(new SqliteDatabase(dataDirectory, time));

    public static JobDatabase Postgres(string connectionString, TimeProvider? time = null) => new(new PostgresDatabase(connectionString, time));

    /// <summary>Brings the schema up to date (at start, before anything reads it).</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => _sql.MigrateAsync(cancellationToken);

    /// <summary>True when the database answers (health checks).</summary>
    public Task<bool> PingAsync(CancellationToken cancellationToken) => _sql.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => _sql.DisposeAsync();
}
