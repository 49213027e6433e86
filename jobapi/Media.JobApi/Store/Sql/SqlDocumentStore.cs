namespace Media.JobApi.Store.Sql;

/// <summary>A tenant's named documents of one kind (its patterns, cover templates or engagement records), one table each.</summary>
public sealed class SqlDocumentStore(SqlDatabase db, TenantDocumentKind kind) : ITenantDocuments
{
    // The table names are constants of this class, never input.
    private readonly string _table = kind switch
    {
        TenantDocumentKind.Pattern => "tenant_patterns",
        TenantDocumentKind.Template => "thumbnail_templates",
        TenantDocumentKind.Engagement => "engagement",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown document kind."),
    };

    public TenantDocumentKind Kind => kind;

    public Task PutAsync(StoredDocument document, CancellationToken cancellationToken) =>
        db.WriteAsync(
            $"INSERT INTO {_table} (tenant, name, document, updated_at) VALUES ($tenant, $name, $doc, $at) ON CONFLICT (tenant, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            cancellationToken, ("$tenant", document.Tenant), ("$name", document.Name), ("$doc", document.Document), ("$at", document.UpdatedAt.ToUnixTimeMilliseconds()));

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT tenant, name, document, updated_at FROM {_table} WHERE tenant = $tenant ORDER BY name", Rows.Document, cancellationToken, ("$tenant", tenant));

    public async Task<StoredDocument?> GetAsync(string tenant, string name, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT tenant, name, document, updated_at FROM {_table} WHERE tenant = $tenant AND name = $name", Rows.Document, cancellationToken, ("$tenant", tenant), ("$name", name))
            is [var found, ..] ? found : null;

    public async Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken) =>
        await db.WriteAsync($"DELETE FROM {_table} WHERE tenant = $tenant AND name = $name", cancellationToken, ("$tenant", tenant), ("$name", name)) > 0;
}
