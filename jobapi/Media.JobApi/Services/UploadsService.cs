using System.Security.Cryptography;
using Grpc.Core;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Services;

/// <summary>
/// Client-streamed uploads: header, data chunks, trailer with the SHA-256. The object is stored under a
/// fresh key per upload and only registered when the checksum matches; otherwise it is deleted.
/// </summary>
public sealed class UploadsService(IBlobStore blobs, IJobStore store, DirectUploads direct, IOptions<JobApiOptions> options, TimeProvider time) : Uploads.UploadsBase
{
    public override Task<CreateUploadResponse> CreateUpload(CreateUploadRequest request, ServerCallContext context) =>
        direct.CreateAsync(request, CallerTenant.Of(context), context.CancellationToken);

    public override Task<UploadResponse> CompleteUpload(CompleteUploadRequest request, ServerCallContext context) =>
        direct.CompleteAsync(request, CallerTenant.Of(context), context.CancellationToken);

    public override async Task<UploadResponse> Upload(IAsyncStreamReader<UploadRequest> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.PartCase != UploadRequest.PartOneofCase.Header)
        {
            throw new RequestValidationException("header", "the first message of an upload must be its header");
        }

        var header = requestStream.Current.Header;
        var maxBytes = options.Value.MaxUploadBytes;
        if (header.SizeBytes < 0 || header.SizeBytes > maxBytes)
        {
            throw new RequestValidationException("header.size_bytes", $"must be between 0 and the limit of {maxBytes} bytes (Media:JobApi:MaxUploadBytes)");
        }

        if (header.FileName.Length > DirectUploads.MaxFileNameLength || header.FileName.Any(char.IsControl))
        {
            throw new RequestValidationException("header.file_name", $"must be at most {DirectUploads.MaxFileNameLength} characters without control characters");
        }

        var contentType = string.IsNullOrWhiteSpace(header.ContentType) ? "application/octet-stream" : header.ContentType;
        if (contentType.Length > 200 || contentType.Any(char.IsControl))
        {
            throw new RequestValidationException("header.content_type", "must be at most 200 characters without control characters");
        }

        var uploadId = "up_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var key = TenantKeys.Upload(CallerTenant.Of(context), uploadId, header.FileName);
        var body = new UploadChunkStream(requestStream, maxBytes);
        BlobInfo stored;
        try
        {
            stored = await blobs.PutAsync(key, body, contentType, cancellationToken);
            var problem = Check(header, body, stored);
            if (problem is not null)
            {
                throw problem;
            }
        }
        catch
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        await store.CreateUploadAsync(
            new UploadRecord(uploadId, CallerTenant.Of(context), key, header.FileName, contentType, stored.SizeBytes, stored.Sha256, time.GetUtcNow()),
            cancellationToken);
        Media.Platform.Telemetry.FarmTelemetry.BytesUploaded.Add(stored.SizeBytes);
        return new UploadResponse { UploadId = uploadId, SizeBytes = stored.SizeBytes, Sha256 = stored.Sha256, Key = key };
    }

    private static RequestValidationException? Check(UploadHeader header, UploadChunkStream body, BlobInfo stored)
    {
        if (stored.SizeBytes == 0)
        {
            return new RequestValidationException("data", "the upload is empty (0 bytes)");
        }

        if (body.Trailer is null || string.IsNullOrWhiteSpace(body.Trailer.Sha256))
        {
            return new RequestValidationException("trailer.sha256", "is required: end the upload with a trailer carrying the SHA-256 of the bytes sent");
        }

        if (!string.Equals(body.Trailer.Sha256.Trim(), stored.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new RequestValidationException("trailer.sha256", $"checksum mismatch: the trailer says {Shorten(body.Trailer.Sha256)} but the bytes received hash to {stored.Sha256}");
        }

        if (header.SizeBytes > 0 && header.SizeBytes != stored.SizeBytes)
        {
            return new RequestValidationException("header.size_bytes", $"declared {header.SizeBytes} bytes but {stored.SizeBytes} were received");
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
