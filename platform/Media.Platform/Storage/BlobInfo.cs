namespace Media.Platform.Storage;

/// <summary>What the store keeps with every object.</summary>
public sealed record BlobInfo(string Key, long SizeBytes, string ContentType, string Sha256, DateTimeOffset LastModified);
