namespace Media.JobApi.Store;

public static class TenantIds
{
    /// <summary>The tenant of every call until API keys arrive.</summary>
    public const string Default = "default";
}
