using SkiaSharp;
using Media.Pipelines.Faces;

namespace Media.Pipelines.Thumbnails;

/// <summary>One frame with its faces, the job's merge fields, and the logo image when the template has one.</summary>
public sealed record ThumbnailInput(SKBitmap Frame, IReadOnlyList<FaceRegion> Faces, IReadOnlyDictionary<string, string> Parameters)
{
    public SKImage? Logo { get; init; }
}
