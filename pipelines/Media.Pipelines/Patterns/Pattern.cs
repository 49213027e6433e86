using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Patterns;

/// <summary>A validated, immutable edit recipe.</summary>
public sealed record Pattern
{
    public const string CurrentApiVersion = "media.farm/v1";

    public required string Name { get; init; }

    public string ApiVersion { get; init; } = CurrentApiVersion;

    public string Description { get; init; } = string.Empty;

    public required IReadOnlyList<PatternOutput> Outputs { get; init; }

    public EditSteps Steps { get; init; } = EditSteps.Default;

    public ReframeMode Reframe => Steps.Reframe.Mode;

    /// <summary>Null when the pattern wants no thumbnails.</summary>
    public ThumbnailSpec? Thumbnail { get; init; }

    /// <summary>The document it was read from, kept for GetPattern.</summary>
    public string Document { get; init; } = string.Empty;
}
