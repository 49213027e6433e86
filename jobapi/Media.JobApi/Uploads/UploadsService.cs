using Grpc.Core;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Options;
using Media.JobApi.Services;

namespace Media.JobApi.Uploads;

/// <summary>
/// Client-streamed uploads: header, data chunks, trailer with the SHA-256. The object is stored under a
/// fresh key per upload and only registered when the checksum matches; otherwise it is deleted.
/// </summary>
public sealed class UploadsService(IBlobStore blobs, IUploadStore store, DirectUploads direct, PartialUploads partials, IOptions<JobApiOptions> options, IOptions<QuotaOptions> quotas, TimeProvider time) : Protos.V1.Uploads.UploadsBase
{
    public override Task<UploadProgress> GetUploadProgress(GetUploadProgressRequest request, ServerCallContext context)
    {
        RequireToken(request.ResumeToken, "resume_token");
        return Task.FromResult(new UploadProgress { ResumeToken = request.ResumeToken, ReceivedBytes = partials.ReceivedBytes(CallerTenant.Of(context), request.ResumeToken) });
    }

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
        var tenant = CallerTenant.Of(context);
        var (maxBytes, limitKey) = quotas.Value.UploadBytesFor(tenant, options.Value.MaxUploadBytes);
        if (header.SizeBytes < 0 || header.SizeBytes > maxBytes)
        {
            throw new RequestValidationException("header.size_bytes", $"must be between 0 and the limit of {maxBytes} bytes ({limitKey})");
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

        var uploadId = UploadRecord.NewId();
        var key = TenantKeys.Upload(tenant, uploadId, header.FileName);
        var resumable = header.ResumeToken.Length > 0;
        if (resumable)
        {
            RequireToken(header.ResumeToken, "header.resume_token");
            if (header.Offset < 0 || header.Offset > maxBytes)
            {
                throw new RequestValidationException("header.offset", $"must be between 0 and the limit of {maxBytes} bytes");
            }
        }
        else if (header.Offset != 0)
        {
            throw new RequestValidationException("header.offset", "needs header.resume_token (only a resumable upload continues)");
        }

        var body = new UploadChunkStream(requestStream, maxBytes - header.Offset, limitKey);
        if (resumable)
        {
            // Received bytes go to the token's file first: a broken stream leaves them there for the next attempt.
            await using (var partial = partials.OpenForAppend(tenant, header.ResumeToken, header.Offset))
            {
                await body.CopyToAsync(partial, cancellationToken);
            }
        }

        BlobInfo stored;
        try
        {
            await using (var content = resumable ? partials.OpenRead(tenant, header.ResumeToken) : (Stream)body)
            {
                stored = await blobs.PutAsync(key, content, contentType, cancellationToken);
            }

            var problem = Check(header, body, stored);
            if (problem is not null)
            {
                throw problem;
            }
        }
        catch (Exception ex)
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            if (resumable && ex is RequestValidationException)
            {
                // Whole but wrong (a checksum or size mismatch): these bytes cannot be resumed, start over.
                partials.Delete(tenant, header.ResumeToken);
            }

            throw;
        }

        if (resumable)
        {
            partials.Delete(tenant, header.ResumeToken);
        }

        await store.CreateUploadAsync(
            new UploadRecord(uploadId, tenant, key, header.FileName, contentType, stored.SizeBytes, stored.Sha256, time.GetUtcNow()),
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

    private static void RequireToken(string token, string field)
    {
        if (!PartialUploads.IsValidToken(token))
        {
            throw new RequestValidationException(field, "must be 16-64 characters of A-Z a-z 0-9 _ - (chosen by the client and kept to resume)");
        }
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
