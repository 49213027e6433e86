using Media.JobApi.Retention;

namespace Media.JobApi.Store;

/// <summary>
/// What retention deletes, and the objects it still has to remove. Rows go first, in one transaction with a record of
/// the objects they leave; the objects go after, and their record last. A crash between the two leaves the record, so
/// the next sweep (on any replica) finishes the job: nothing is orphaned and every step can run twice.
/// </summary>
public interface IRetentionStore
{
    /// <summary>Finished jobs past their tenant's cutoff, oldest first; not those whose webhook is still retrying, whose publication still waits, or whose outputs another stored job names.</summary>
    Task<IReadOnlyList<ExpiredJob>> ListExpiredJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the job's rows (events, stages, outputs, labels, publication, webhook deliveries) and records its storage
    /// folder for deletion, atomically; false when it is gone or no longer expired (revised or retried meanwhile).
    /// </summary>
    Task<bool> DeleteJobAsync(ExpiredJob job, DateTimeOffset finishedBefore, string storageFolder, CancellationToken cancellationToken);

    /// <summary>Uploads made before their tenant's cutoff that no stored job, pattern or template names, oldest first.</summary>
    Task<IReadOnlyList<UploadRecord>> ListUnusedUploadsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the upload's row and records its object for deletion, atomically; false when it is gone or now used.</summary>
    Task<bool> DeleteUploadAsync(UploadRecord upload, DateTimeOffset createdBefore, CancellationToken cancellationToken);

    /// <summary>Indexes what up to <paramref name="limit"/> jobs stored by an earlier release name (<see cref="JobReferences"/>); returns how many.</summary>
    Task<int> IndexReferencesAsync(int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<BlobDeletion>> ListBlobDeletionsAsync(int limit, CancellationToken cancellationToken);

    Task ForgetBlobDeletionAsync(string key, CancellationToken cancellationToken);

    /// <summary>Ended jobs whose run folders are due a look (<see cref="JobChanges.TidyRunsAt"/> passed), earliest first.</summary>
    Task<IReadOnlyList<RunTidy>> ListDueRunTidiesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets the entry, unless the job ended again since and moved it (a newer due time stays).</summary>
    Task ForgetRunTidyAsync(RunTidy tidy, CancellationToken cancellationToken);
}

/// <summary>An ended job whose run folders may hold leftovers from <paramref name="DueAt"/>.</summary>
public sealed record RunTidy(string JobId, string Tenant, DateTimeOffset DueAt);

public sealed record ExpiredJob(string Id, string Tenant, DateTimeOffset FinishedAt);

/// <summary>An object (or, with <see cref="IsFolder"/>, every object under a folder) whose rows are already deleted.</summary>
public sealed record BlobDeletion(string Key, bool IsFolder);
