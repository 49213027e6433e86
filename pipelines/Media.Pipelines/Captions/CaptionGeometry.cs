using Media.Pipelines.Fonts;
using Media.Pipelines.Render;

namespace Media.Pipelines.Captions;

/// <summary>
/// Where and how large a captions step draws on one output, and how wide a line of words is once drawn: the glyphs
/// (measured as libass draws them), the outline or box on both sides, and for <see cref="CaptionStyle.Pop"/> the newest
/// word at 125%. The planner breaks lines to fit <see cref="MaxLineWidth"/>; the ASS writer shrinks what still does not.
/// </summary>
public sealed record CaptionGeometry(int Width, int Height, int FontSize, int Outline, SafeArea Safe, int MarginV, int Alignment, bool Pop)
{
    /// <summary>How much larger the newest word of a pop caption is drawn as it appears.</summary>
    public const double PopScale = 1.25;

    // libass and HarfBuzz round differently, and synthetic bold widens fallback glyphs a little: keep 2% in hand.
    private const double Headroom = 0.98;

    public static CaptionGeometry For(CaptionsStep step, int width, int height)
    {
        var fontSize = Math.Max(12, (int)Math.Round(height * step.Size));
        var vertical = height > width;
        var marginV = step.Position switch
        {
            CaptionPosition.Bottom => (int)(height * (vertical ? 0.22 : 0.08)),
            CaptionPosition.Top => (int)(height * 0.12),
            _ => 0,
        };
        var alignment = step.Position switch { CaptionPosition.Top => 8, CaptionPosition.Center => 5, _ => 2 };
        var outline = step.Style switch
        {
            CaptionStyle.Minimal => Math.Max(1, fontSize / 20),
            CaptionStyle.Boxed => Math.Max(4, fontSize / 4),
            _ => Math.Max(2, fontSize / 10),
        };
        return new CaptionGeometry(width, height, fontSize, outline, SafeArea.For(width, height), marginV, alignment, step.Style == CaptionStyle.Pop);
    }

    /// <summary>The widest a drawn line may be.</summary>
    public double MaxLineWidth => Safe.Width * Headroom;

    /// <summary>Pixels a line of these words takes once drawn at full size.</summary>
    public double LineWidth(IReadOnlyList<string> words, TextWidths widths)
    {
        if (words.Count == 0)
        {
            return 0;
        }

        var width = widths.Width(string.Join(' ', words), FontSize) + (2 * Outline);
        return Pop ? width + ((PopScale - 1) * words.Max(w => widths.Width(w, FontSize))) : width;
    }

    /// <summary>The percentage (at most 100) to draw lines this wide at so that the widest fits.</summary>
    public int ScaleToFit(double widestLine) =>
        widestLine <= MaxLineWidth ? 100 : Math.Max(1, (int)Math.Floor(100 * MaxLineWidth / widestLine));
}
