namespace Media.JobApi.Errors;

/// <summary>
/// Maps to AlreadyExists (e.g. an idempotency key reused for a different request), with google.rpc.ErrorInfo (a stable
/// <see cref="Reason"/> and metadata) and ResourceInfo naming what already exists.
/// </summary>
public sealed class ConflictException(string message, string reason, string resourceType, string resourceName, IReadOnlyDictionary<string, string>? metadata = null) : Exception(message)
{
    /// <summary>A stable UPPER_SNAKE code clients can branch on ("IDEMPOTENCY_KEY_REUSED").</summary>
    public string Reason { get; } = reason;

    public string ResourceType { get; } = resourceType;

    public string ResourceName { get; } = resourceName;

    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();
}
