namespace Media.JobApi.Store;

/// <summary>Finished uploads, and direct (presigned) uploads created but not yet completed.</summary>
public interface IUploadStore
{
    Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    Task<UploadRecord?> GetUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken);

    Task CreatePendingUploadAsync(PendingUploadRecord pending, CancellationToken cancellationToken);

    Task<PendingUploadRecord?> GetPendingUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken);

    /// <summary>Registers the finished upload and forgets the pending one, atomically; false when it was already completed.</summary>
    Task<bool> CompletePendingUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    /// <summary>Direct uploads never completed whose part URLs expired before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<PendingUploadRecord>> ListExpiredPendingUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task DeletePendingUploadAsync(string uploadId, CancellationToken cancellationToken);
}
