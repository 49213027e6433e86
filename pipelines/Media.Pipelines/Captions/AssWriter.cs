using System.Globalization;
using System.Text;

namespace Media.Pipelines.Captions;

/// <summary>
/// Captions -> an ASS script for libass (burned in by ffmpeg's `ass` filter inside the render graph). Styles:
/// karaoke (one event per word, the spoken word in the highlight colour), pop (words appear one by one, the
/// newest scaling in), boxed (opaque box), minimal. Word text can never become an override tag: braces and
/// backslashes are replaced by look-alike full-width characters.
/// </summary>
public static class AssWriter
{
    public static string Write(IReadOnlyList<Caption> captions, CaptionsStep step, int width, int height, string fontName, IReadOnlySet<string> emphasis)
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
        var marginL = (int)(width * 0.06);
        var marginR = (int)(width * (vertical ? 0.14 : 0.06));
        var boxed = step.Style == CaptionStyle.Boxed;
        var outline = step.Style == CaptionStyle.Minimal ? Math.Max(1, fontSize / 20) : boxed ? Math.Max(4, fontSize / 4) : Math.Max(2, fontSize / 10);

        var text = new StringBuilder();
        text.Append("[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n");
        text.Append(CultureInfo.InvariantCulture, $"PlayResX: {width}\nPlayResY: {height}\n\n");
        text.Append("[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Style: Caption,{fontName},{fontSize},{Colour(step.Color)},{Colour(step.Highlight)},{(boxed ? "&H60000000" : "&H00000000")},{(boxed ? "&H60000000" : "&H80000000")},-1,0,0,0,100,100,0,0,{(boxed ? 3 : 1)},{outline},0,{alignment},{marginL},{marginR},{marginV},1\n\n");
        text.Append("[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");

        var highlight = $"{{\\c{OverrideColour(step.Highlight)}}}";
        foreach (var caption in captions)
        {
            var words = caption.Words.ToList();
            switch (step.Style)
            {
                case CaptionStyle.Karaoke:
                    for (var i = 0; i < words.Count; i++)
                    {
                        var start = i == 0 ? caption.Start : words[i].Start;
                        var end = i + 1 < words.Count ? words[i + 1].Start : caption.End;
                        Event(text, start, end, Render(caption, (line, w) => w == words[i] ? highlight + Escape(w.Text) + "{\\r}" : Emphasised(w, emphasis, highlight)));
                    }

                    break;
                case CaptionStyle.Pop:
                    for (var i = 0; i < words.Count; i++)
                    {
                        var start = i == 0 ? caption.Start : words[i].Start;
                        var end = i + 1 < words.Count ? words[i + 1].Start : caption.End;
                        var shown = words.Take(i + 1).ToHashSet();
                        Event(text, start, end, Render(caption, (line, w) =>
                            !shown.Contains(w) ? "{\\alpha&HFF&}" + Escape(w.Text) + "{\\r}"
                            : w == words[i] ? "{\\fscx125\\fscy125\\t(0,120,\\fscx100\\fscy100)}" + Emphasised(w, emphasis, highlight) + "{\\r}"
                            : Emphasised(w, emphasis, highlight)));
                    }

                    break;
                default:
                    Event(text, caption.Start, caption.End, Render(caption, (line, w) => Emphasised(w, emphasis, highlight)));
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>#RRGGBB or #RRGGBBAA -> ASS &amp;HAABBGGRR (ASS alpha 00 is opaque).</summary>
    public static string Colour(string hex)
    {
        var r = hex[1..3];
        var g = hex[3..5];
        var b = hex[5..7];
        var a = hex.Length == 9 ? (255 - int.Parse(hex[7..9], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString("X2", CultureInfo.InvariantCulture) : "00";
        return $"&H{a}{b}{g}{r}".ToUpperInvariant();
    }

    /// <summary>#RRGGBB -> the &amp;HBBGGRR&amp; form of an inline colour override (\c).</summary>
    public static string OverrideColour(string hex) => $"&H{hex[5..7]}{hex[3..5]}{hex[1..3]}&".ToUpperInvariant();

    /// <summary>Text that libass shows as typed: no override blocks, no \N or \h escapes.</summary>
    public static string Escape(string text) =>
        text.Replace("\\", "＼", StringComparison.Ordinal).Replace("{", "｛", StringComparison.Ordinal).Replace("}", "｝", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);

    private static string Emphasised(Speech.Word word, IReadOnlySet<string> emphasis, string highlight) =>
        emphasis.Contains(Speech.WordText.Normalize(word.Text)) ? highlight + Escape(word.Text) + "{\\r}" : Escape(word.Text);

    private static string Render(Caption caption, Func<int, Speech.Word, string> word) =>
        string.Join("\\N", caption.Lines.Select((line, i) => string.Join(' ', line.Select(w => word(i, w)))));

    private static void Event(StringBuilder text, double start, double end, string body) =>
        text.Append(CultureInfo.InvariantCulture, $"Dialogue: 0,{Time(start)},{Time(Math.Max(end, start + 0.01))},Caption,,0,0,0,,{body}\n");

    private static string Time(double seconds)
    {
        var centiseconds = (long)Math.Round(Math.Max(0, seconds) * 100);
        return string.Create(CultureInfo.InvariantCulture, $"{centiseconds / 360000}:{centiseconds / 6000 % 60:00}:{centiseconds / 100 % 60:00}.{centiseconds % 100:00}");
    }
}
