namespace Media.JobApi.Store;

public sealed record UploadRecord(string Id, string Tenant, string Key, string FileName, string ContentType, long SizeBytes, string Sha256, DateTimeOffset CreatedAt)
{
    /// <summary>A fresh upload id ("up_" and 96 random bits), for streamed and direct uploads alike.</summary>
    public static string NewId() => "up_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
