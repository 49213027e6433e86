namespace Media.Pipelines.Thumbnails;

/// <summary>A frame (PNG/JPEG bytes) to turn into a cover of Width x Height with an optional title.</summary>
public sealed record ThumbnailRequest(byte[] Frame, int Width, int Height, string Title, string FontPath)
{
    public int JpegQuality { get; init; } = 88;
}
