using Media.Pipelines.Thumbnails.Templates;

namespace Media.Pipelines.Patterns;

/// <summary>
/// Covers for a job: the <see cref="Frames"/> best distinct frames, each composited with every template
/// (variants = frames x templates, for A/B tests).
/// </summary>
public sealed record ThumbnailSpec(IReadOnlyList<ThumbnailTemplate> Templates, int Frames)
{
    public const int MaxFrames = 5;
    public const int MaxTemplates = 6;
}
