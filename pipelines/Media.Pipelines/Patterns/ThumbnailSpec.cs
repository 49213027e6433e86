namespace Media.Pipelines.Patterns;

/// <summary>A cover image per output: a frame at <see cref="At"/> (fraction of the duration) with a title.</summary>
public sealed record ThumbnailSpec(string Title, double At);
