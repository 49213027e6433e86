namespace Media.Pipelines.Captions;

/// <summary>Burned-in, word-timed captions (and SRT/WebVTT/ASS/JSON files with the outputs).</summary>
public sealed record CaptionsStep
{
    public CaptionStyle Style { get; init; } = CaptionStyle.Karaoke;

    public CaptionPosition Position { get; init; } = CaptionPosition.Bottom;

    /// <summary>Font size as a fraction of the output height.</summary>
    public double Size { get; init; } = 0.05;

    public string Color { get; init; } = "#FFFFFF";

    /// <summary>The current word (karaoke, pop) and emphasised keywords.</summary>
    public string Highlight { get; init; } = "#FFD400";

    /// <summary>Characters per line; 0 = from the frame width and font size.</summary>
    public int MaxChars { get; init; }

    public int MaxLines { get; init; } = 2;

    public CaptionCasing Casing { get; init; } = CaptionCasing.Sentence;

    /// <summary>
    /// Comma-separated keywords to emphasise (merge fields allowed), or "auto": a few keywords per minute from the
    /// transcript (the ones the publishing suggestions use; never stop words or words heard with low confidence).
    /// </summary>
    public string Emphasis { get; init; } = string.Empty;

    public const string AutoEmphasis = "auto";

    /// <summary>The filmed script (merge fields allowed): when it is non-empty the captions are its words, timed against the audio.</summary>
    public string Script { get; init; } = "{{script}}";
}

public enum CaptionStyle
{
    /// <summary>The whole caption shown, the word being spoken highlighted.</summary>
    Karaoke,

    /// <summary>Words appear one by one, each popping in with a little scale.</summary>
    Pop,

    /// <summary>White text on a dark box.</summary>
    Boxed,

    /// <summary>Small, thin outline, no highlight.</summary>
    Minimal,
}

public enum CaptionPosition
{
    /// <summary>Above the platforms' bottom UI zone (22% of the height on vertical video).</summary>
    Bottom,
    Center,
    Top,
}

public enum CaptionCasing
{
    /// <summary>Recogniser output tidied: sentence starts and "I" capitalised.</summary>
    Sentence,
    Upper,
    AsIs,
}
