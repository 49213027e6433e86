namespace Media.Platform.Storage;

/// <summary>
/// Where a tenant's objects live: all under "tenants/{tenant}/", so a bucket policy, lifecycle rule or deletion can
/// address one tenant, and a "blob:&lt;key&gt;" a job names can be checked to be the caller's own. Tenant names are
/// validated (a-z, 0-9, '-') and file names pass through <see cref="BlobKey.SafeSegment"/>, so nothing a user
/// sends can leave the prefix.
/// </summary>
public static class TenantKeys
{
    public const string Root = "tenants/";

    /// <summary>The tenant of calls without an API key (single-machine farms).</summary>
    public const string DefaultTenant = "default";

    public static string Prefix(string tenant) => $"{Root}{tenant}/";

    public static string Upload(string tenant, string uploadId, string fileName) =>
        $"{Prefix(tenant)}uploads/{uploadId}/{BlobKey.SafeSegment(fileName, "source")}";

    /// <summary>Everything stored for one job (outputs, revisions' plans, analysis parts): deleted as one folder.</summary>
    public static string JobFolder(string tenant, string jobId) => $"{Prefix(tenant)}jobs/{jobId}";

    public static string JobOutputs(string tenant, string jobId) => $"{JobFolder(tenant, jobId)}/outputs";

    /// <summary>Where edited plans a client sent for a job's revisions are kept (beside its outputs, not among them).</summary>
    public static string JobRevisions(string tenant, string jobId) => $"{JobFolder(tenant, jobId)}/revisions";

    /// <summary>
    /// Whether a job of <paramref name="tenant"/> may read <paramref name="key"/>: keys under its own prefix; the
    /// default tenant also keeps keys outside "tenants/" (objects from before tenants, or placed by an operator).
    /// </summary>
    public static bool Owns(string tenant, string key)
    {
        var effective = tenant.Length == 0 ? DefaultTenant : tenant;
        return key.StartsWith(Prefix(effective), StringComparison.Ordinal)
            || (effective == DefaultTenant && !key.StartsWith(Root, StringComparison.Ordinal));
    }
}
