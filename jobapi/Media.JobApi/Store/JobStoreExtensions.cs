using Media.JobApi.Errors;

namespace Media.JobApi.Store;

public static class JobStoreExtensions
{
    /// <summary>The tenant's job; another tenant's job is NotFound exactly like a missing one, so ids leak nothing.</summary>
    public static async Task<JobRecord> GetOwnedJobAsync(this IJobStore store, string jobId, string tenant, CancellationToken cancellationToken)
    {
        var job = await store.GetJobAsync(jobId, cancellationToken);
        return job is not null && job.Tenant == tenant ? job : throw new ResourceNotFoundException("job", jobId);
    }
}
