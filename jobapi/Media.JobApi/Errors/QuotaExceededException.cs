namespace Media.JobApi.Errors;

/// <summary>A configured limit was reached; maps to ResourceExhausted with a QuotaFailure naming the limit.</summary>
public sealed class QuotaExceededException(string limit, string message) : Exception(message)
{
    /// <summary>The limit's name, e.g. "Media:Limits:MaxActiveJobsPerTenant".</summary>
    public string Limit { get; } = limit;
}
