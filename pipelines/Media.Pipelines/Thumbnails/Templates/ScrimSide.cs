namespace Media.Pipelines.Thumbnails.Templates;

public enum ScrimSide
{
    /// <summary>Behind the title, wherever the title goes.</summary>
    Auto,
    Top,
    Bottom,
    None,
}
