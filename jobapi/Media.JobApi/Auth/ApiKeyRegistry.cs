using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Auth;

/// <summary>
/// Creates, lists and revokes API keys, and turns a presented key into a <see cref="Caller"/>. Checked keys are
/// remembered for <see cref="AuthOptions.CacheSeconds"/> so a busy client does not cost a store read per call.
/// </summary>
public sealed class ApiKeyRegistry(IApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    public const string OperatorsTenant = "operators";
    public const int MaxLabelLength = 200;
    private const int MaxKeysPerTenant = 100;
    private readonly AuthOptions _options = options.Value;
    private readonly byte[]? _bootstrapHash = options.Value.BootstrapAdminKey is { Length: > 0 } bootstrap ? SHA256.HashData(Encoding.UTF8.GetBytes(bootstrap)) : null;
    private readonly ConcurrentDictionary<string, (StoredApiKey? Key, DateTimeOffset CheckedAt)> _cache = new(StringComparer.Ordinal);

    public bool RequireApiKeys => _options.RequireApiKeys;

    /// <summary>The caller a presented key stands for, or null when the key is unknown, wrong or revoked.</summary>
    public async Task<Caller?> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (_bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _bootstrapHash))
        {
            return new Caller(OperatorsTenant, "bootstrap", IsAdmin: true);
        }

        if (!ApiKeyToken.TryParse(presented, out var id, out var secret))
        {
            return null;
        }

        var key = await FindAsync(id, cancellationToken);
        return key is { RevokedAt: null } && ApiKeyToken.Matches(secret, key.SecretHash) ? new Caller(key.Tenant, key.Id, key.Admin) : null;
    }

    public async Task<(StoredApiKey Key, string Token)> CreateAsync(string tenant, string label, bool admin, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        if (!TenantNames.IsValid(tenant))
        {
            violations.Add(new FieldViolation("tenant", $"must be {TenantNames.Rule}"));
        }

        if (label.Length > MaxLabelLength || label.Any(char.IsControl))
        {
            violations.Add(new FieldViolation("label", $"must be at most {MaxLabelLength} characters without control characters"));
        }

        if (violations.Count > 0)
        {
            throw new RequestValidationException(violations);
        }

        if ((await store.ListApiKeysAsync(tenant, cancellationToken)).Count(d => StoredApiKey.FromDocument(d).RevokedAt is null) >= MaxKeysPerTenant)
        {
            throw new QuotaExceededException("api keys per tenant", $"Tenant {tenant} already has {MaxKeysPerTenant} active keys (the limit); revoke some first.");
        }

        var (id, token, hash) = ApiKeyToken.Create();
        var now = time.GetUtcNow();
        var key = new StoredApiKey(id, tenant, label, admin, hash, now, null);
        await store.PutApiKeyAsync(key.ToDocument(now), cancellationToken);
        return (key, token);
    }

    public async Task<IReadOnlyList<StoredApiKey>> ListAsync(string? tenant, CancellationToken cancellationToken) =>
        (await store.ListApiKeysAsync(tenant, cancellationToken)).Select(StoredApiKey.FromDocument).OrderByDescending(k => k.CreatedAt).ToList();

    public async Task<StoredApiKey> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        if (!ApiKeyToken.IsId(id))
        {
            throw new RequestValidationException("id", "must be a key id like k_0123456789abcdef01234567");
        }

        var document = await store.FindApiKeyAsync(id, cancellationToken) ?? throw new ResourceNotFoundException("API key", id);
        var key = StoredApiKey.FromDocument(document);
        if (key.RevokedAt is null)
        {
            var now = time.GetUtcNow();
            key = key with { RevokedAt = now };
            await store.PutApiKeyAsync(key.ToDocument(now), cancellationToken);
        }

        _cache.TryRemove(id, out _);
        return key;
    }

    private async Task<StoredApiKey?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && now - cached.CheckedAt < TimeSpan.FromSeconds(_options.CacheSeconds))
        {
            return cached.Key;
        }

        var document = await store.FindApiKeyAsync(id, cancellationToken);
        var key = document is null ? null : StoredApiKey.FromDocument(document);
        if (_options.CacheSeconds > 0)
        {
            // Unknown ids are remembered too, bounded, so random keys cannot turn into a store read each.
            if (_cache.Count > 10_000)
            {
                _cache.Clear();
            }

            _cache[id] = (key, now);
        }

        return key;
    }
}
