namespace Media.JobApi.Store;

public sealed record UploadRecord(string Id, string Tenant, string Key, string FileName, string ContentType, long SizeBytes, string Sha256, DateTimeOffset CreatedAt);
