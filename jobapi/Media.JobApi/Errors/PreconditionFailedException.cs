namespace Media.JobApi.Errors;

/// <summary>
/// Maps to FailedPrecondition (e.g. cancelling a job that already succeeded, revising an output from a stale revision),
/// with google.rpc.PreconditionFailure and ErrorInfo details naming what failed (<see cref="Reason"/>, <see cref="Subject"/>).
/// </summary>
public sealed class PreconditionFailedException(string message, string reason = "FAILED_PRECONDITION", string subject = "") : Exception(message)
{
    /// <summary>A stable UPPER_SNAKE code clients can branch on ("STALE_REVISION").</summary>
    public string Reason { get; } = reason;

    /// <summary>What the precondition is about ("jobs/job_…/outputs/vertical").</summary>
    public string Subject { get; } = subject;
}
