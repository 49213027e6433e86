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
}
