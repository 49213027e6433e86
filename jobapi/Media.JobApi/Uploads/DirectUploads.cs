using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Uploads;

/// <summary>
/// Direct-to-storage uploads: the API plans the parts and presigns a PUT per part; the bytes go from the
/// client to S3; completion assembles, re-hashes and registers the object. The plan is kept in the job store,
/// so any API replica can complete what another created.
/// </summary>
public sealed class DirectUploads(IDirectUploadStore? storage, IBlobStore blobs, IUploadStore store, JobApiOptions options, QuotaOptions quotas, TimeProvider time, ILogger<DirectUploads> logger)
{
    private const int AbandonBatch = 100;
    private static readonly TimeSpan ExpiryGrace = TimeSpan.FromHours(1);

    // S3's limits: parts of at least 5 MiB (but the last), at most 5 GiB, at most 10,000 of them.
    private const long MinPartBytes = 5L * 1024 * 1024;
    private const long MaxPartBytes = 5L * 1024 * 1024 * 1024;
    private const int MaxParts = 10_000;

    /// <summary>Longest file name an upload may carry (it is kept, shortened, in the storage key and with the upload).</summary>
    public const int MaxFileNameLength = 1000;

    public async Task<CreateUploadResponse> CreateAsync(CreateUploadRequest request, string tenant, CancellationToken cancellationToken)
    {
        var direct = storage ?? throw new PreconditionFailedException(
            "Direct uploads need S3 storage (Media:Storage=s3); this farm stores files in a folder, so stream the file with Uploads.Upload instead.");
        var violations = new List<FieldViolation>();
        var (maxBytes, limitKey) = quotas.UploadBytesFor(tenant, options.MaxUploadBytes);
        if (request.SizeBytes <= 0 || request.SizeBytes > maxBytes)
        {
            violations.Add(new FieldViolation("size_bytes", $"must be between 1 and the limit of {maxBytes} bytes ({limitKey})"));
        }

        if (!IsSha256(request.Sha256))
        {
            violations.Add(new FieldViolation("sha256", "must be the 64 lowercase hex characters of the file's SHA-256 (it is verified when the upload completes)"));
        }

        var partBytes = request.PartSizeBytes == 0 ? options.DirectUploadPartBytes : request.PartSizeBytes;
        if (partBytes < MinPartBytes || partBytes > MaxPartBytes)
        {
            violations.Add(new FieldViolation("part_size_bytes", $"must be between {MinPartBytes} (5 MiB) and {MaxPartBytes} (5 GiB), or 0 for the default"));
        }
        else if (request.SizeBytes > 0 && (request.SizeBytes + partBytes - 1) / partBytes > MaxParts)
        {
            violations.Add(new FieldViolation("part_size_bytes", $"would need more than {MaxParts} parts for {request.SizeBytes} bytes; choose larger parts"));
        }

        if (request.FileName.Length > MaxFileNameLength || request.FileName.Any(char.IsControl))
        {
            violations.Add(new FieldViolation("file_name", $"must be at most {MaxFileNameLength} characters without control characters"));
        }

        var contentType = string.IsNullOrWhiteSpace(request.ContentType) ? "application/octet-stream" : request.ContentType;
        if (contentType.Length > 200 || contentType.Any(char.IsControl))
        {
            violations.Add(new FieldViolation("content_type", "must be at most 200 characters without control characters"));
        }

        if (violations.Count > 0)
        {
            throw new RequestValidationException(violations);
        }

        var uploadId = UploadRecord.NewId();
        var key = TenantKeys.Upload(tenant, uploadId, request.FileName);
        var now = time.GetUtcNow();
        var validFor = TimeSpan.FromSeconds(options.DirectUploadExpirySeconds);
        var storageUploadId = await direct.BeginDirectUploadAsync(key, contentType, cancellationToken);
        var partCount = (int)((request.SizeBytes + partBytes - 1) / partBytes);
        var urls = direct.PresignUploadParts(key, storageUploadId, partCount, validFor);
        await store.CreatePendingUploadAsync(
            new PendingUploadRecord(uploadId, tenant, key, request.FileName, contentType, request.SizeBytes, request.Sha256, storageUploadId, now, now + validFor),
            cancellationToken);

        var response = new CreateUploadResponse { UploadId = uploadId, ExpiresAt = Timestamp.FromDateTimeOffset(now + validFor) };
        for (var i = 0; i < partCount; i++)
        {
            var offset = i * partBytes;
            response.Parts.Add(new UploadPartTarget
            {
                PartNumber = i + 1,
                Offset = offset,
                SizeBytes = Math.Min(partBytes, request.SizeBytes - offset),
                Url = urls[i],
            });
        }

        return response;
    }

    public async Task<UploadResponse> CompleteAsync(CompleteUploadRequest request, string tenant, CancellationToken cancellationToken)
    {
        var direct = storage ?? throw new PreconditionFailedException("Direct uploads need S3 storage (Media:Storage=s3).");
        if (await store.GetUploadAsync(tenant, request.UploadId, cancellationToken) is { } finished)
        {
            // Completing twice (a retried call) answers the same.
            return new UploadResponse { UploadId = finished.Id, SizeBytes = finished.SizeBytes, Sha256 = finished.Sha256, Key = finished.Key };
        }

        var pending = await store.GetPendingUploadAsync(tenant, request.UploadId, cancellationToken)
            ?? throw new ResourceNotFoundException("upload", request.UploadId);
        if (pending.ExpiresAt <= time.GetUtcNow())
        {
            throw new PreconditionFailedException($"Upload {pending.Id} expired at {pending.ExpiresAt:O}; create a new one.");
        }

        var parts = CheckParts(request);
        BlobInfo stored;
        try
        {
            stored = await direct.CompleteDirectUploadAsync(pending.Key, pending.StorageUploadId, parts, pending.ContentType, cancellationToken);
        }
        catch (DirectUploadRejectedException ex)
        {
            // The parts stay in storage: the client may upload a missing part again and complete once more.
            throw new RequestValidationException("parts", ex.Message);
        }

        var problem = stored.SizeBytes != pending.SizeBytes
            ? new FieldViolation("size_bytes", $"declared {pending.SizeBytes} bytes but the parts hold {stored.SizeBytes}")
            : !string.Equals(stored.Sha256, pending.Sha256, StringComparison.Ordinal)
                ? new FieldViolation("sha256", $"checksum mismatch: declared {pending.Sha256} but the uploaded bytes hash to {stored.Sha256}")
                : null;
        if (problem is not null)
        {
            await store.DeletePendingUploadAsync(pending.Id, CancellationToken.None);
            await blobs.DeleteAsync(pending.Key, CancellationToken.None);
            throw new RequestValidationException([problem]);
        }

        if (!await store.CompletePendingUploadAsync(
            new UploadRecord(pending.Id, tenant, pending.Key, pending.FileName, pending.ContentType, stored.SizeBytes, stored.Sha256, time.GetUtcNow()),
            cancellationToken))
        {
            // The plan went while storage assembled the parts: another completion of the same upload won (answer
            // what it registered), or the plan was abandoned as expired (nothing is registered: say so, keep nothing).
            if (await store.GetUploadAsync(tenant, request.UploadId, cancellationToken) is { } registered)
            {
                return new UploadResponse { UploadId = registered.Id, SizeBytes = registered.SizeBytes, Sha256 = registered.Sha256, Key = registered.Key };
            }

            await blobs.DeleteAsync(pending.Key, CancellationToken.None);
            throw new PreconditionFailedException($"Upload {pending.Id} expired and was abandoned while it completed; create a new one.");
        }

        Media.Platform.Telemetry.FarmTelemetry.BytesUploaded.Add(stored.SizeBytes);
        return new UploadResponse { UploadId = pending.Id, SizeBytes = stored.SizeBytes, Sha256 = stored.Sha256, Key = pending.Key };
    }

    /// <summary>
    /// Forgets direct uploads whose part URLs expired an hour before <paramref name="now"/> without being completed: the
    /// multipart upload is aborted in storage (its parts stop costing space) and the plan is deleted. Returns how many
    /// were forgotten, and how many of those storage confirmed aborting.
    /// </summary>
    public async Task<(int Forgotten, int Aborted)> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (storage is null)
        {
            return (0, 0);
        }

        var abandoned = 0;
        var aborted = 0;
        IReadOnlyList<PendingUploadRecord> batch;
        do
        {
            // Only well past their expiry: a completion that began just before it may still be assembling the parts.
            batch = await store.ListExpiredPendingUploadsAsync(now - ExpiryGrace, AbandonBatch, cancellationToken);
            foreach (var pending in batch)
            {
                if (await AbandonAsync(storage, pending, cancellationToken))
                {
                    aborted++;
                }

                abandoned++;
            }
        }
        while (batch.Count == AbandonBatch);

        if (abandoned > 0)
        {
            logger.LogInformation("Abandoned {Count} direct uploads that expired without being completed", abandoned);
        }

        return (abandoned, aborted);
    }

    private async Task<bool> AbandonAsync(IDirectUploadStore storage, PendingUploadRecord pending, CancellationToken cancellationToken)
    {
        var aborted = false;
        try
        {
            await storage.AbortDirectUploadAsync(pending.Key, pending.StorageUploadId, cancellationToken);
            aborted = true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Already aborted (another replica's sweep) or storage away: the plan goes either way; a bucket
            // lifecycle rule for incomplete multipart uploads is the backstop.
            logger.LogInformation("Could not abort the storage upload of expired upload {UploadId}: {Error}", pending.Id, ex.Message);
        }

        await store.DeletePendingUploadAsync(pending.Id, cancellationToken);
        return aborted;
    }

    private static List<UploadedPart> CheckParts(CompleteUploadRequest request)
    {
        var violations = new List<FieldViolation>();
        if (request.Parts.Count == 0)
        {
            violations.Add(new FieldViolation("parts", "must list every uploaded part with the ETag storage returned"));
        }

        for (var i = 0; i < request.Parts.Count; i++)
        {
            if (request.Parts[i].PartNumber != i + 1)
            {
                violations.Add(new FieldViolation($"parts[{i}].part_number", $"must be {i + 1}: list the parts in order, none missing"));
            }

            if (string.IsNullOrWhiteSpace(request.Parts[i].Etag))
            {
                violations.Add(new FieldViolation($"parts[{i}].etag", "is required: the ETag header of the part's PUT response"));
            }
        }

        return violations.Count > 0
            ? throw new RequestValidationException(violations)
            : [.. request.Parts.Select(p => new UploadedPart(p.PartNumber, p.Etag))];
    }

    private static bool IsSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);
}
