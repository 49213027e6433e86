namespace Media.JobApi.Errors;

/// <summary>Maps to AlreadyExists (e.g. an idempotency key reused for a different request).</summary>
public sealed class ConflictException(string message) : Exception(message);
