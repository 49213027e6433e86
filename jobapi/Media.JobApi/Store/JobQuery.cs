using Media.Protos.V1;

namespace Media.JobApi.Store;

public sealed record JobQuery(string Tenant, JobState State, IReadOnlyDictionary<string, string> Labels, int PageSize, string? PageToken);
