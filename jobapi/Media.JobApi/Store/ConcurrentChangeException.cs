namespace Media.JobApi.Store;

/// <summary>
/// A commit was built from a read that another writer (usually another API replica) has since superseded.
/// Nothing was written; the caller re-reads and decides again.
/// </summary>
public sealed class ConcurrentChangeException : Exception
{
    public ConcurrentChangeException()
    {
    }

    public ConcurrentChangeException(string message)
        : base(message)
    {
    }

    public ConcurrentChangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static ConcurrentChangeException ForJob(string jobId, Exception? innerException = null)
    {
        var message = $"Job {jobId} was changed by another writer; re-read it and try again.";
        return innerException is null ? new ConcurrentChangeException(message) : new ConcurrentChangeException(message, innerException);
    }
}
