namespace Media.Pipelines.Thumbnails.Templates;

public enum ThumbnailFormat
{
    Jpeg,
    Webp,
    Png,
}
