namespace Media.JobApi.Auth;

/// <summary>Who is calling: the tenant every lookup is scoped to, the key (null when anonymous) and its role.</summary>
public sealed record Caller(string Tenant, string? KeyId, bool IsAdmin)
{
    public const string UserStateKey = "media.caller";
}
