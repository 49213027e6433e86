using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>A job as stored.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }

    public string Tenant { get; init; } = TenantIds.Default;

    public string IdempotencyKey { get; init; } = string.Empty;

    /// <summary>Hash of the request's content: the same key with a different request is a conflict.</summary>
    public string RequestHash { get; init; } = string.Empty;

    public required string PatternName { get; init; }

    public required string PatternDocument { get; init; }

    public required string SourceKey { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> OutputsWanted { get; init; } = [];

    /// <summary>The tenant's own cover templates the pattern names (name -> document), frozen at submission.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; init; } = new Dictionary<string, string>();

    public Priority Priority { get; init; } = Priority.Normal;

    public string WebhookUrl { get; init; } = string.Empty;

    public JobState State { get; init; } = JobState.Queued;

    /// <summary>Queued behind the tenant's running-jobs allowance: none of its stages has been dispatched yet.</summary>
    public bool Held { get; init; }

    public double Progress { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public MediaInfo? SourceInfo { get; init; }

    public JobError? Error { get; init; }

    /// <summary>Warnings and the caption confidence the stages reported (null: nothing reported).</summary>
    public JobFindings? Findings { get; init; }

    public long LastSequence { get; init; }

    /// <summary>Bumped by every commit; a commit from a stale read is refused (replicas never advance a job twice).</summary>
    public long Version { get; init; }

    public bool IsTerminal => State.IsTerminal();
}
