using Grpc.Core;
using Media.JobApi.Store;

namespace Media.JobApi.Services;

/// <summary>Whose call this is. Every store lookup is scoped by it; until API keys exist, one default tenant.</summary>
public static class CallerTenant
{
    public static string Of(ServerCallContext context) => TenantIds.Default;
}
