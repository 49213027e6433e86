using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Media.JobApi.Auth;

/// <summary>
/// The key a client sends: "mf_" + id + "_" + secret. The id ("k_" + 24 hex digits) finds the stored record; the
/// secret (32 random bytes, base64url) is checked against its SHA-256. A fast hash is right here: the secret
/// has 256 bits of entropy, so there is nothing for a slow password hash to protect.
/// </summary>
public static class ApiKeyToken
{
    private const string Prefix = "mf_";

    public static (string Id, string Token, string SecretHash) Create()
    {
        var id = "k_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    public static bool TryParse(string token, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = null;
        secret = null;
        // "mf_" + "k_" + 24 hex + "_" + secret.
        const int IdLength = 26;
        if (token.Length < Prefix.Length + IdLength + 2 || !token.StartsWith(Prefix, StringComparison.Ordinal) || token[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        id = token.Substring(Prefix.Length, IdLength);
        secret = token[(Prefix.Length + IdLength + 1)..];
        return IsId(id);
    }

    public static bool IsId(string id) => id.Length == 26 && id.StartsWith("k_", StringComparison.Ordinal) && id[2..].All(char.IsAsciiHexDigitLower);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant-time comparison of a presented secret with a stored hash.</summary>
    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
