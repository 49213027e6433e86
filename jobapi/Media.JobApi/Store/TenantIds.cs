using Media.Platform.Storage;

namespace Media.JobApi.Store;

public static class TenantIds
{
    /// <summary>The tenant of calls without an API key, where keys are not required.</summary>
    public const string Default = TenantKeys.DefaultTenant;
}
