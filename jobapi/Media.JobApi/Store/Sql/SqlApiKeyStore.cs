namespace Media.JobApi.Store.Sql;

/// <summary>API key records (name = key id, globally unique; the record as JSON), by tenant.</summary>
public sealed class SqlApiKeyStore(SqlDatabase db) : IApiKeyStore
{
    public Task PutApiKeyAsync(StoredDocument key, CancellationToken cancellationToken) =>
        db.WriteAsync(
            "INSERT INTO api_keys (tenant, name, document, updated_at) VALUES ($tenant, $name, $doc, $at) ON CONFLICT (tenant, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            cancellationToken, ("$tenant", key.Tenant), ("$name", key.Name), ("$doc", key.Document), ("$at", key.UpdatedAt.ToUnixTimeMilliseconds()));

    public async Task<StoredDocument?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT tenant, name, document, updated_at FROM api_keys WHERE name = $name", Rows.Document, cancellationToken, ("$name", keyId)) is [var found, ..] ? found : null;

    public async Task<IReadOnlyList<StoredDocument>> ListApiKeysAsync(string? tenant, CancellationToken cancellationToken) =>
        tenant is null
            ? await db.QueryAsync("SELECT tenant, name, document, updated_at FROM api_keys ORDER BY tenant, name", Rows.Document, cancellationToken)
            : await db.QueryAsync("SELECT tenant, name, document, updated_at FROM api_keys WHERE tenant = $tenant ORDER BY name", Rows.Document, cancellationToken, ("$tenant", tenant));
}
