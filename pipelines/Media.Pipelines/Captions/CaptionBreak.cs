namespace Media.Pipelines.Captions;

/// <summary>What follows a word on screen.</summary>
public enum CaptionBreak
{
    /// <summary>The line goes on.</summary>
    None,

    /// <summary>A new line of the same caption.</summary>
    Line,

    /// <summary>A new caption.</summary>
    Caption,
}
