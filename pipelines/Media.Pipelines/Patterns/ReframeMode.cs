namespace Media.Pipelines.Patterns;

public enum ReframeMode
{
    /// <summary>Scale to cover the frame and crop the middle.</summary>
    Center,

    /// <summary>The whole picture fitted in the frame over a blurred, scaled copy of itself.</summary>
    BlurFill,

    /// <summary>Scale to cover the frame and crop around the speaker's face, following it smoothly.</summary>
    Face,

    /// <summary>
    /// <see cref="Face"/> when the analysis found a face, <see cref="Center"/> when it found none (resolved by the
    /// planner: a render plan is never Auto).
    /// </summary>
    Auto,

    /// <summary>The whole picture fitted in the frame with black bars (bulk normalisation).</summary>
    Fit,

    /// <summary>
    /// Like <see cref="Face"/>, but the face followed is the active speaker's: the crop changes person at turns of
    /// speech (cutting between people far apart), holds at least a couple of seconds, and ignores short interjections
    /// (resolved by the planner into <see cref="Face"/> with the speaker's path).
    /// </summary>
    Speaker,
}
