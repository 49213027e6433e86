using Media.Pipelines.Patterns;

namespace Media.JobApi.Orchestration;

/// <param name="Templates">The tenant templates the pattern names, name -> document.</param>
/// <param name="SourceIdentity">The content hash of the source, for idempotency.</param>
public sealed record ValidSubmission(Pattern Pattern, string SourceKey, string SourceIdentity, IReadOnlyDictionary<string, string> Templates);
