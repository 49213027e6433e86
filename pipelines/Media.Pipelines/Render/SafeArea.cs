namespace Media.Pipelines.Render;

/// <summary>
/// The part of a frame burned-in text may use, in pixels: 6% in from each side and 5% from the top and bottom
/// (title-safe), and on vertical video clear of the platforms' like/comment/share buttons down the right (14%).
/// Captions and titles are laid out inside it, and the overlay check fails any ink outside it.
/// </summary>
public readonly record struct SafeArea(int Left, int Top, int Right, int Bottom)
{
    public int Width => Right - Left;

    public int Height => Bottom - Top;

    public static SafeArea For(int width, int height)
    {
        var vertical = height > width;
        return new SafeArea(
            (int)Math.Round(width * 0.06),
            (int)Math.Round(height * 0.05),
            width - (int)Math.Round(width * (vertical ? 0.14 : 0.06)),
            height - (int)Math.Round(height * 0.05));
    }
}
