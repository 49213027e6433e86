namespace Media.Platform.Storage;

/// <summary>
/// Storage that clients can upload to directly, in parts, through presigned URLs (S3): big sources never pass
/// through the job API. Folder storage has no such path; clients stream through the API instead.
/// </summary>
public interface IDirectUploadStore
{
    /// <summary>Starts a multipart upload for <paramref name="key"/>; returns the storage's id for it.</summary>
    Task<string> BeginDirectUploadAsync(string key, string contentType, CancellationToken cancellationToken);

    /// <summary>A presigned PUT URL per part (part numbers 1..<paramref name="partCount"/>).</summary>
    IReadOnlyList<string> PresignUploadParts(string key, string storageUploadId, int partCount, TimeSpan validFor);

    /// <summary>
    /// Assembles the parts, then reads the object back once to hash it (S3 cannot tell a multipart object's
    /// SHA-256) and records size, content type and hash like any other blob.
    /// </summary>
    Task<BlobInfo> CompleteDirectUploadAsync(string key, string storageUploadId, IReadOnlyList<UploadedPart> parts, string contentType, CancellationToken cancellationToken);

    Task AbortDirectUploadAsync(string key, string storageUploadId, CancellationToken cancellationToken);
}

/// <summary>A part the client uploaded: its number and the ETag storage answered with.</summary>
public sealed record UploadedPart(int PartNumber, string ETag);

/// <summary>Storage refused to assemble a direct upload (missing or mismatched parts).</summary>
public sealed class DirectUploadRejectedException : Exception
{
    public DirectUploadRejectedException()
    {
    }

    public DirectUploadRejectedException(string message)
        : base(message)
    {
    }

    public DirectUploadRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
