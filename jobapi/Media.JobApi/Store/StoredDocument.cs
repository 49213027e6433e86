namespace Media.JobApi.Store;

/// <summary>A tenant's own pattern or cover template document, stored by name.</summary>
public sealed record StoredDocument(string Tenant, string Name, string Document, DateTimeOffset UpdatedAt);
