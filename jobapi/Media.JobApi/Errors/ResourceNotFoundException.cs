namespace Media.JobApi.Errors;

/// <summary>Maps to NotFound.</summary>
public sealed class ResourceNotFoundException(string resourceType, string id)
    : Exception($"{resourceType} '{id}' was not found.")
{
    public string ResourceType { get; } = resourceType;

    public string Id { get; } = id;
}
