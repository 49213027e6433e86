namespace Media.Pipelines.Thumbnails.Templates;

public enum TextPlacement
{
    /// <summary>Top when the face is in the lower half, otherwise bottom: text never sits on the face.</summary>
    Auto,
    Top,
    Bottom,
}
