namespace Media.Pipelines.Patterns;

public enum ReframeMode
{
    /// <summary>Scale to cover the frame and crop the middle.</summary>
    Center,

    /// <summary>The whole picture fitted in the frame over a blurred, scaled copy of itself.</summary>
    BlurFill,

    /// <summary>Scale to cover the frame and crop around the speaker's face, following it smoothly.</summary>
    Face,

    /// <summary>The whole picture fitted in the frame with black bars (bulk normalisation).</summary>
    Fit,
}
