namespace Media.JobApi.Store;

/// <summary>API key records (name = key id, globally unique; the record as JSON).</summary>
public interface IApiKeyStore
{
    Task PutApiKeyAsync(StoredDocument key, CancellationToken cancellationToken);

    /// <summary>The key with this id, whatever its tenant (the id comes from the presented key).</summary>
    Task<StoredDocument?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>One tenant's keys, or every tenant's when <paramref name="tenant"/> is null.</summary>
    Task<IReadOnlyList<StoredDocument>> ListApiKeysAsync(string? tenant, CancellationToken cancellationToken);
}
