namespace Media.JobApi.Errors;

/// <summary>Maps to FailedPrecondition (e.g. cancelling a job that already succeeded).</summary>
public sealed class PreconditionFailedException(string message) : Exception(message);
