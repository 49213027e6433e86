using Media.Pipelines.Patterns;

namespace Media.JobApi.Orchestration;

/// <param name="Templates">The tenant templates the pattern names, name -> document.</param>
public sealed record ValidSubmission(Pattern Pattern, string SourceKey, IReadOnlyDictionary<string, string> Templates);
