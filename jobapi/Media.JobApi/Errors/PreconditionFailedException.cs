namespace Media.JobApi.Errors;

/// <summary>
/// Maps to FailedPrecondition (e.g. cancelling a job that already succeeded, revising an output from a stale revision),
/// with google.rpc.PreconditionFailure and ErrorInfo details naming what failed (<see cref="Reason"/>, <see cref="Subject"/>).
/// </summary>
public sealed class PreconditionFailedException(string message, string reason = "FAILED_PRECONDITION", string subject = "", IReadOnlyDictionary<string, string>? metadata = null) : Exception(message)
{
    /// <summary>What a client needs to act on it, e.g. {"held_bytes": "1048576"} for a resumed upload's offset.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();

    /// <summary>A stable UPPER_SNAKE code clients can branch on ("STALE_REVISION").</summary>
    public string Reason { get; } = reason;

    /// <summary>What the precondition is about ("jobs/job_…/outputs/vertical").</summary>
    public string Subject { get; } = subject;
}
