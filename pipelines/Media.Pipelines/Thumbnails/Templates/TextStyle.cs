namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>
/// One text block. Sizes are fractions of the canvas height; the title shrinks from MaxSize to MinSize
/// until it fits in MaxLines, then ends with an ellipsis.
/// </summary>
public sealed record TextStyle
{
    public required string Text { get; init; }

    public string Color { get; init; } = "#FFFFFF";

    public string StrokeColor { get; init; } = "#000000";

    /// <summary>Stroke width as a fraction of the font size; 0 = none.</summary>
    public double StrokeWidth { get; init; } = 0.08;

    public bool Shadow { get; init; } = true;

    public int MaxLines { get; init; } = 3;

    public double MaxSize { get; init; } = 0.12;

    public double MinSize { get; init; } = 0.035;

    public TextPlacement Position { get; init; } = TextPlacement.Auto;

    public bool Uppercase { get; init; }

    /// <summary>Comma-separated words drawn in <see cref="EmphasisColor"/> (usually a merge field).</summary>
    public string EmphasisWords { get; init; } = string.Empty;

    public string EmphasisColor { get; init; } = "#FFD400";
}
