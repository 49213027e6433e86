using System.Globalization;
using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Render;

/// <summary>
/// A plan's text overlays (titles, lower thirds) -> an ASS script libass burns in after the captions. libass, unlike
/// drawtext, falls back to other fonts for characters the title font lacks (CJK, Devanagari, emoji) and shapes
/// right-to-left scripts. Each text is centred in the safe area at its position; one wider than the safe area
/// (a long word, an edited plan's text) is drawn smaller as a whole, never cut.
/// </summary>
public static class TitleScript
{
    public static string Write(IReadOnlyList<PlannedText> texts, int width, int height, TextWidths widths)
    {
        var safe = SafeArea.For(width, height);
        var script = AssWriter.Header(width, height);
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            var (alignment, marginV) = Place(text.Position, height);
            var boxed = text.BoxColor is not null;
            var border = Border(text.FontSize, boxed);
            // A box is one box behind all the lines (libass's BorderStyle 4, in the back colour, padded by the outline
            // width, the outline itself transparent): per-line boxes (style 3) overlap and darken between lines.
            var (outlineColour, backColour) = text.BoxColor is { } box ? ("&HFF000000", AssWriter.Colour(box)) : ("&H00000000", "&H00000000");
            script.Append(CultureInfo.InvariantCulture,
                $"Style: Title{i},{widths.FamilyName},{text.FontSize},{AssWriter.Colour(text.Color)},{AssWriter.Colour(text.Color)},{outlineColour},{backColour},-1,0,0,0,100,100,0,0,{(boxed ? 4 : 1)},{border},0,{alignment},{safe.Left},{width - safe.Right},{marginV},1\n");
        }

        script.Append("\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            var lines = text.Text.Split('\n');
            var widest = lines.Max(l => widths.Width(l, text.FontSize)) + (2 * Border(text.FontSize, text.BoxColor is not null));
            var scale = widest <= safe.Width ? 100 : Math.Max(1, (int)Math.Floor(100 * safe.Width * 0.98 / widest));
            var lead = scale == 100 ? string.Empty : $"{{\\fscx{scale}\\fscy{scale}}}";
            AssWriter.Event(script, $"Title{i}", text.StartSeconds, text.EndSeconds, lead + string.Join("\\N", lines.Select(AssWriter.Escape)));
        }

        return script.ToString();
    }

    /// <summary>The box's padding around the text, or the outline's width.</summary>
    public static int Border(int fontSize, bool boxed) =>
        boxed ? Math.Max(4, fontSize * 3 / 10) : Math.Max(2, fontSize / 12);

    // Top: from 10% down; centre: the middle; lower third: from 62% down; bottom: ending at 78% (above the platforms' UI).
    private static (int Alignment, int MarginV) Place(Patterns.Steps.TextPosition position, int height) => position switch
    {
        Patterns.Steps.TextPosition.Top => (8, (int)(height * 0.1)),
        Patterns.Steps.TextPosition.Center => (5, 0),
        Patterns.Steps.TextPosition.LowerThird => (8, (int)(height * 0.62)),
        _ => (2, (int)(height * 0.22)),
    };
}
