using System.ComponentModel.DataAnnotations;

namespace Media.Platform.Storage;

public sealed class S3BlobStoreOptions
{
    public const string Section = "Media:Storage:S3";

    [Required]
    public string Bucket { get; set; } = string.Empty;

    /// <summary>Prepended to every key ("tenants/acme/"), so one bucket can hold several farms or tenants.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Endpoint for MinIO and other S3-compatible stores; empty = AWS for <see cref="Region"/>.</summary>
    public string ServiceUrl { get; set; } = string.Empty;

    /// <summary>
    /// The endpoint browsers and publishers reach the store by (https://media.example.com), when it differs from
    /// ServiceUrl (an in-cluster address such as http://minio:9000); presigned URLs are signed for it. Empty = ServiceUrl.
    /// </summary>
    public string PublicServiceUrl { get; set; } = string.Empty;

    public string Region { get; set; } = "us-east-1";

    /// <summary>MinIO and most self-hosted stores need path-style URLs (http://host/bucket/key).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Empty = the SDK's default credential chain (environment, profile, instance role).</summary>
    public string AccessKey { get; set; } = string.Empty;

    public string SecretKey { get; set; } = string.Empty;

    /// <summary>Objects larger than this go up as multipart uploads of this part size (S3 minimum 5 MiB).</summary>
    [Range(5 * 1024 * 1024, 1024L * 1024 * 1024)]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    [Range(1, 7 * 24 * 3600)]
    public int PresignedUrlSeconds { get; set; } = 3600;
}
