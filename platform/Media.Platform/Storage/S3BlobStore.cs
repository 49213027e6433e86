using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Media.Platform.Storage;

/// <summary>
/// Blob store on S3 or an S3-compatible server (MinIO). Uploads stream: small objects in one PUT, larger ones
/// as multipart with parts of PartSizeBytes (the whole object is never in memory). The SHA-256 is computed
/// while streaming and kept, with the content type, in a small metadata object next to the data
/// (`_meta/&lt;key&gt;.json`), because S3 metadata must be known before a multipart upload starts.
/// Reads stream the object; a worker never holds a whole source in memory.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDirectUploadStore, IDisposable
{
    private const string MetaPrefix = "_meta/";
    private readonly IAmazonS3 _s3;

    // Signs URLs for the public endpoint (the same client when there is none): signing is local, it never calls out.
    private readonly IAmazonS3 _presigner;
    private readonly S3BlobStoreOptions _options;
    private readonly TimeProvider _time;

    public S3BlobStore(IOptions<S3BlobStoreOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var config = new AmazonS3Config
        {
            ForcePathStyle = _options.ForcePathStyle,
            // Checksums only where S3 demands them: S3-compatible servers (and s3rver) reject the newer trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (_options.ServiceUrl.Length > 0)
        {
            config.ServiceURL = _options.ServiceUrl;
            config.AuthenticationRegion = _options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(_options.Region);
        }

        _s3 = Client(config);
        _presigner = _options.PublicServiceUrl.Length == 0 ? _s3 : Client(new AmazonS3Config
        {
            ForcePathStyle = _options.ForcePathStyle,
            ServiceURL = _options.PublicServiceUrl,
            AuthenticationRegion = _options.Region,
        });
    }

    private IAmazonS3 Client(AmazonS3Config config) => _options.AccessKey.Length > 0
        ? new AmazonS3Client(new BasicAWSCredentials(_options.AccessKey, _options.SecretKey), config)
        : new AmazonS3Client(config);

    public async Task<BlobInfo> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[_options.PartSizeBytes];
        var first = await FillAsync(content, buffer, cancellationToken);
        long size;
        if (first < buffer.Length)
        {
            hash.AppendData(buffer, 0, first);
            await _s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _options.Bucket,
                    Key = objectKey,
                    InputStream = new MemoryStream(buffer, 0, first, writable: false),
                    ContentType = contentType,
                    UseChunkEncoding = false,
                    AutoCloseStream = false,
                },
                cancellationToken);
            size = first;
        }
        else
        {
            size = await PutMultipartAsync(objectKey, content, contentType, buffer, first, hash, cancellationToken);
        }

        var info = new BlobInfo(key, size, contentType, Convert.ToHexStringLower(hash.GetHashAndReset()), _time.GetUtcNow());
        await WriteInfoAsync(info, cancellationToken);
        return info;
    }

    public async Task<string> BeginDirectUploadAsync(string key, string contentType, CancellationToken cancellationToken)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = ObjectKey(key), ContentType = contentType },
            cancellationToken);
        return upload.UploadId;
    }

    public IReadOnlyList<string> PresignUploadParts(string key, string storageUploadId, int partCount, TimeSpan validFor)
    {
        var objectKey = ObjectKey(key);
        var expires = _time.GetUtcNow().Add(validFor).UtcDateTime;
        return [.. Enumerable.Range(1, partCount).Select(part => _presigner.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = objectKey,
            Verb = HttpVerb.PUT,
            UploadId = storageUploadId,
            PartNumber = part,
            Protocol = UrlProtocol,
            Expires = expires,
        }))];
    }

    public async Task<BlobInfo> CompleteDirectUploadAsync(string key, string storageUploadId, IReadOnlyList<UploadedPart> parts, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = _options.Bucket,
                    Key = ObjectKey(key),
                    UploadId = storageUploadId,
                    PartETags = [.. parts.Select(p => new PartETag(p.PartNumber, p.ETag))],
                },
                cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "InvalidPart" or "InvalidPartOrder" or "NoSuchUpload" or "EntityTooSmall" or "MalformedXML")
        {
            throw new DirectUploadRejectedException($"storage refused to assemble the parts ({ex.ErrorCode}: {ex.Message})", ex);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        long size = 0;
        await using (var stream = await OpenReadAsync(key, cancellationToken))
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
            }
        }

        var info = new BlobInfo(key, size, contentType, Convert.ToHexStringLower(hash.GetHashAndReset()), _time.GetUtcNow());
        await WriteInfoAsync(info, cancellationToken);
        return info;
    }

    public Task AbortDirectUploadAsync(string key, string storageUploadId, CancellationToken cancellationToken) =>
        _s3.AbortMultipartUploadAsync(_options.Bucket, ObjectKey(key), storageUploadId, cancellationToken);

    private async Task WriteInfoAsync(BlobInfo info, CancellationToken cancellationToken)
    {
        var meta = JsonSerializer.SerializeToUtf8Bytes(info);
        await _s3.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = MetaKey(info.Key),
                InputStream = new MemoryStream(meta, writable: false),
                ContentType = "application/json",
                UseChunkEncoding = false,
            },
            cancellationToken);
    }

    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(_options.Bucket, MetaKey(key), cancellationToken);
            var info = await JsonSerializer.DeserializeAsync<BlobInfo>(response.ResponseStream, cancellationToken: cancellationToken);
            // The data object is written first; metadata without data means a delete got half-way.
            return info is not null && await ExistsAsync(ObjectKey(key), cancellationToken) ? info : null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _s3.GetObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);
            return new OwnedStream(response.ResponseStream, response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BlobNotFoundException(key);
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var existed = await ExistsAsync(ObjectKey(key), cancellationToken);
        await _s3.DeleteObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);
        await _s3.DeleteObjectAsync(_options.Bucket, MetaKey(key), cancellationToken);
        return existed;
    }

    public async Task<int> DeleteFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var objects = await DeleteUnderAsync(ObjectKey(folder) + "/", cancellationToken);
        await DeleteUnderAsync(MetaKey(folder)[..^".json".Length] + "/", cancellationToken);
        return objects;
    }

    /// <summary>Lists a prefix a page (up to 1,000 keys) at a time and deletes each page with one request.</summary>
    private async Task<int> DeleteUnderAsync(string prefix, CancellationToken cancellationToken)
    {
        var deleted = 0;
        while (true)
        {
            // Always the first page: the previous page's objects are gone, so what is left starts the listing.
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix, MaxKeys = 1000 }, cancellationToken);
            if (page.S3Objects is not { Count: > 0 } objects)
            {
                return deleted;
            }

            var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _options.Bucket,
                Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                Quiet = true,
            }, cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new IOException($"Storage refused to delete {errors.Count} objects under '{prefix}': {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
            }

            deleted += objects.Count;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = ObjectKey(folder) + "/", MaxKeys = 1000 };
        do
        {
            var page = await _s3.ListObjectsV2Async(request, cancellationToken);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[_options.Prefix.Length..]));
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);

        return keys;
    }

    public string? TryGetLocalPath(string key) => null;

    public string? TryGetDownloadUrl(string key, TimeSpan? validFor = null) => GetDownloadUrl(key, validFor);

    /// <summary>A time-limited GET URL for an object (results handed to publishers, browsers, CDNs).</summary>
    public string GetDownloadUrl(string key, TimeSpan? validFor = null) =>
        _presigner.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            Verb = HttpVerb.GET,
            Protocol = UrlProtocol,
            Expires = _time.GetUtcNow().Add(validFor ?? TimeSpan.FromSeconds(_options.PresignedUrlSeconds)).UtcDateTime,
        });

    public void Dispose()
    {
        _s3.Dispose();
        if (!ReferenceEquals(_presigner, _s3))
        {
            _presigner.Dispose();
        }
    }

    // The SDK presigns https unless told otherwise; a plain-http MinIO endpoint needs http links.
    private Protocol UrlProtocol =>
        (_options.PublicServiceUrl.Length > 0 ? _options.PublicServiceUrl : _options.ServiceUrl).StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS;

    private async Task<long> PutMultipartAsync(string objectKey, Stream content, string contentType, byte[] buffer, int filled, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, ContentType = contentType },
            cancellationToken);
        var parts = new List<PartETag>();
        long size = 0;
        try
        {
            while (filled > 0)
            {
                hash.AppendData(buffer, 0, filled);
                var part = await _s3.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _options.Bucket,
                        Key = objectKey,
                        UploadId = upload.UploadId,
                        PartNumber = parts.Count + 1,
                        InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                        PartSize = filled,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                size += filled;
                filled = await FillAsync(content, buffer, cancellationToken);
            }

            await _s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = objectKey, UploadId = upload.UploadId, PartETags = parts },
                cancellationToken);
            return size;
        }
        catch
        {
            // Abandoned parts cost storage until aborted.
            await _s3.AbortMultipartUploadAsync(_options.Bucket, objectKey, upload.UploadId, CancellationToken.None);
            throw;
        }
    }

    private async Task<bool> ExistsAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_options.Bucket, objectKey, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    private string ObjectKey(string key) => _options.Prefix + BlobKey.Validate(key);

    private string MetaKey(string key) => _options.Prefix + MetaPrefix + BlobKey.Validate(key) + ".json";

    /// <summary>The response body stream that also disposes the response (and its connection) when closed.</summary>
    private sealed class OwnedStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
