namespace Media.Pipelines.Patterns;

public enum ReframeMode
{
    /// <summary>Scale to cover the frame and crop the middle.</summary>
    Center,

    /// <summary>The whole picture fitted in the frame over a blurred, scaled copy of itself.</summary>
    BlurFill,
}
