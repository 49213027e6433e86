namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>
/// A validated cover design: canvas, crop, scrim, title/subtitle styles, logo and output format.
/// Colours and texts may hold merge fields ({{brand.primary}}); they are resolved per job when rendering.
/// </summary>
public sealed record ThumbnailTemplate
{
    public required string Name { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public ThumbnailFormat Format { get; init; } = ThumbnailFormat.Jpeg;

    /// <summary>Encoded size limit (YouTube: 2 MB); JPEG/WebP quality is lowered until the image fits.</summary>
    public long MaxBytes { get; init; } = 2_000_000;

    public CropMode Crop { get; init; } = CropMode.Face;

    public ScrimStyle Scrim { get; init; } = new(ScrimSide.Auto, "#000000", 0.7, 0.5);

    public required TextStyle Title { get; init; }

    public TextStyle? Subtitle { get; init; }

    public LogoStyle? Logo { get; init; }

    public string Document { get; init; } = string.Empty;

    public bool IsPortrait => Height > Width;
}
