namespace Media.JobApi.Store;

/// <summary>A direct-to-storage upload that was created but not yet completed.</summary>
public sealed record PendingUploadRecord(
    string Id,
    string Tenant,
    string Key,
    string FileName,
    string ContentType,
    long SizeBytes,
    string Sha256,
    string StorageUploadId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
