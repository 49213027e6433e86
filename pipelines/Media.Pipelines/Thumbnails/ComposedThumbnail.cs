using SkiaSharp;

namespace Media.Pipelines.Thumbnails;

/// <summary>An encoded cover plus what was decided making it (for results and for tests that check nothing spills over).</summary>
public sealed record ComposedThumbnail(
    byte[] Bytes,
    string ContentType,
    string Extension,
    int Width,
    int Height,
    int Quality,
    SKRect Crop,
    bool FaceInsideCrop,
    IReadOnlyList<SKRect> TextBounds,
    bool TitleTruncated);
