using Media.Pipelines.Patterns;

namespace Media.JobApi.Orchestration;

public sealed record ValidSubmission(Pattern Pattern, string SourceKey);
