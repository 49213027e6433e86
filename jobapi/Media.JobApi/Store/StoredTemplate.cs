namespace Media.JobApi.Store;

/// <summary>A tenant's own cover template document.</summary>
public sealed record StoredTemplate(string Tenant, string Name, string Document, DateTimeOffset UpdatedAt);
