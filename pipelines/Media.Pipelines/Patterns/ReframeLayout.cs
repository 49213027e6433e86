namespace Media.Pipelines.Patterns;

/// <summary>How many pictures of the source one vertical frame shows (a face-following reframe's <c>layout</c>).</summary>
public enum ReframeLayout
{
    /// <summary>One crop, always (the default).</summary>
    Single,

    /// <summary>While two people are on screen too far apart for one crop, both stacked, each face-centred in its half.</summary>
    Split,

    /// <summary>
    /// By what the analysis saw: one person → one crop; two far apart → split; three or more who do not fit one crop →
    /// the whole picture fitted over a blurred copy of itself.
    /// </summary>
    Auto,
}
