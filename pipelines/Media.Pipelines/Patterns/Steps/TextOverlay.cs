namespace Media.Pipelines.Patterns.Steps;

/// <summary>A line of text over the video (title, call to action, lower third). Text may hold merge fields.</summary>
public sealed record TextOverlay
{
    public required string Text { get; init; }

    /// <summary>Output time it appears at.</summary>
    public double StartSeconds { get; init; }

    /// <summary>Output time it goes; null = to the end.</summary>
    public double? EndSeconds { get; init; }

    public TextPosition Position { get; init; } = TextPosition.Top;

    /// <summary>Font size as a fraction of the output height.</summary>
    public double Size { get; init; } = 0.045;

    public string Color { get; init; } = "#FFFFFF";

    /// <summary>Box behind the text, "#RRGGBB" or "#RRGGBBAA"; null for none (an outline is drawn instead).</summary>
    public string? BoxColor { get; init; } = "#000000A0";
}

/// <summary>Where text sits; every position stays clear of the platforms' UI (top bar, bottom 20%, right-side buttons).</summary>
public enum TextPosition
{
    Top,
    Center,
    LowerThird,
    Bottom,
}
