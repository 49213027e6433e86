namespace Media.JobApi.Store;

/// <summary>Which of a tenant's named documents a <see cref="ITenantDocuments"/> holds.</summary>
public enum TenantDocumentKind
{
    /// <summary>The tenant's own patterns (PutPattern).</summary>
    Pattern,

    /// <summary>The tenant's own cover templates (PutTemplate).</summary>
    Template,

    /// <summary>Engagement of published outputs (name "jobId/outputName").</summary>
    Engagement,
}

/// <summary>A tenant's named documents of one kind, stored or replaced whole.</summary>
public interface ITenantDocuments
{
    TenantDocumentKind Kind { get; }

    Task PutAsync(StoredDocument document, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredDocument>> ListAsync(string tenant, CancellationToken cancellationToken);

    Task<StoredDocument?> GetAsync(string tenant, string name, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken);
}

/// <summary>The three kinds of tenant documents, side by side.</summary>
public sealed record TenantDocumentStores(ITenantDocuments Patterns, ITenantDocuments Templates, ITenantDocuments Engagement);
