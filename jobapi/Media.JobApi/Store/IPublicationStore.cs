namespace Media.JobApi.Store;

/// <summary>Jobs' scheduled hand-offs to publishers.</summary>
public interface IPublicationStore
{
    /// <summary>Stores or replaces a job's publication.</summary>
    Task PutPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken);

    Task<PublicationRecord?> GetPublicationAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Scheduled publications whose time has come, oldest first.</summary>
    Task<IReadOnlyList<PublicationRecord>> GetDuePublicationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a publication only if it is still as <paramref name="expected"/> (state and time): the one replica whose
    /// claim succeeds emits it, and a reschedule in between wins over a stale claim.
    /// </summary>
    Task<bool> ReplacePublicationAsync(PublicationRecord expected, PublicationRecord replacement, CancellationToken cancellationToken);
}
