using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Http;

/// <summary>
/// Signs and checks output links: a path on this API's HTTP port naming one output of one tenant's job, valid
/// until a time, with an HMAC-SHA256 over all of it. Browsers need such URLs (a video element cannot send an
/// API key), and the key itself must never go into a URL.
/// </summary>
public sealed class OutputLinks(IOptions<JobApiOptions> options, TimeProvider time)
{
    private readonly byte[] _secret = string.IsNullOrEmpty(options.Value.OutputLinkSecret)
        ? RandomNumberGenerator.GetBytes(32)
        : Encoding.UTF8.GetBytes(options.Value.OutputLinkSecret);

    public static string ContentPath(string jobId, string name) =>
        $"/v1/jobs/{Uri.EscapeDataString(jobId)}/outputs/{Uri.EscapeDataString(name)}/content";

    public DateTimeOffset ExpiresAt() => time.GetUtcNow().AddSeconds(options.Value.OutputLinkSeconds);

    public string Create(string tenant, string jobId, string name, DateTimeOffset expiresAt)
    {
        var expires = expiresAt.ToUnixTimeSeconds();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{ContentPath(jobId, name)}?tenant={Uri.EscapeDataString(tenant)}&expires={expires}&token={Sign(tenant, jobId, name, expires)}");
    }

    /// <summary>Null when the link is good; otherwise why not (for the 403 body).</summary>
    public string? Check(string? tenant, string jobId, string name, long? expires, string? token)
    {
        if (string.IsNullOrEmpty(tenant) || expires is null || string.IsNullOrEmpty(token))
        {
            return "the link needs tenant, expires and token (get one from Jobs.GetOutputLink)";
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() > expires)
        {
            return "the link has expired; get a new one from Jobs.GetOutputLink";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(tenant, jobId, name, expires.Value));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token))
            ? null
            : "the link's token does not match (altered, or signed by a replica with another Media:JobApi:OutputLinkSecret)";
    }

    private string Sign(string tenant, string jobId, string name, long expires)
    {
        // Newlines cannot occur in tenant names, job ids or output names, so the fields cannot run into each other.
        var signed = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{tenant}\n{jobId}\n{name}\n{expires}")));
        return System.Buffers.Text.Base64Url.EncodeToString(signed);
    }
}
