namespace Media.JobApi.Store;

public sealed record JobPage(IReadOnlyList<JobRecord> Jobs, string NextPageToken);
