namespace Media.Pipelines.Thumbnails.Templates;

public enum LogoCorner
{
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}
