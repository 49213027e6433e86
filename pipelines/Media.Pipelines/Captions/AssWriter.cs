using System.Globalization;
using System.Text;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Captions;

/// <summary>
/// Captions -> an ASS script for libass (burned in by ffmpeg's `ass` filter inside the render graph). Styles:
/// karaoke (one event per word, the spoken word in the highlight colour), pop (words appear one by one, the
/// newest scaling in), boxed (one translucent box behind the whole caption: libass's BorderStyle 4, padded by the
/// outline width; the outline itself is transparent), minimal. Word text can never become an override tag: braces and
/// backslashes are replaced by look-alike full-width characters.
/// </summary>
public static class AssWriter
{
    private const string StyleFormat = "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding";

    /// <summary>
    /// The captions script. Lines are drawn as laid out (WrapStyle 2: libass never re-wraps); a caption with a line
    /// wider than the safe area (a word longer than a line, an edited plan's long line) is drawn smaller as a whole.
    /// </summary>
    public static string Write(IReadOnlyList<Caption> captions, CaptionsStep step, int width, int height, IReadOnlySet<string> emphasis, TextWidths widths)
    {
        var geometry = CaptionGeometry.For(step, width, height);
        var boxed = step.Style == CaptionStyle.Boxed;
        var text = Header(width, height);
        text.Append(CultureInfo.InvariantCulture,
            $"Style: Caption,{widths.FamilyName},{geometry.FontSize},{Colour(step.Color)},{Colour(step.Highlight)},{(boxed ? "&HFF000000" : "&H00000000")},{(boxed ? "&H60000000" : "&H80000000")},-1,0,0,0,100,100,0,0,{(boxed ? 4 : 1)},{geometry.Outline},0,{geometry.Alignment},{geometry.Safe.Left},{width - geometry.Safe.Right},{geometry.MarginV},1\n\n");
        text.Append("[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");

        var highlight = $"{{\\c{OverrideColour(step.Highlight)}}}";
        foreach (var caption in captions)
        {
            var words = caption.Words.ToList();
            var scale = geometry.ScaleToFit(caption.Lines.Max(l => geometry.LineWidth([.. l.Select(w => w.Text)], widths)));
            var reset = scale == 100 ? "{\\r}" : $"{{\\r\\fscx{scale}\\fscy{scale}}}";
            var lead = scale == 100 ? string.Empty : $"{{\\fscx{scale}\\fscy{scale}}}";
            switch (step.Style)
            {
                case CaptionStyle.Karaoke:
                    for (var i = 0; i < words.Count; i++)
                    {
                        var start = i == 0 ? caption.Start : words[i].Start;
                        var end = i + 1 < words.Count ? words[i + 1].Start : caption.End;
                        Event(text, "Caption", start, end, lead + Render(caption, w => w == words[i] ? highlight + Escape(w.Text) + reset : Emphasised(w, emphasis, highlight, reset)));
                    }

                    break;
                case CaptionStyle.Pop:
                    var popped = (int)Math.Round(scale * CaptionGeometry.PopScale);
                    for (var i = 0; i < words.Count; i++)
                    {
                        var start = i == 0 ? caption.Start : words[i].Start;
                        var end = i + 1 < words.Count ? words[i + 1].Start : caption.End;
                        var shown = words.Take(i + 1).ToHashSet();
                        Event(text, "Caption", start, end, lead + Render(caption, w =>
                            !shown.Contains(w) ? "{\\alpha&HFF&}" + Escape(w.Text) + reset
                            : w == words[i] ? $"{{\\fscx{popped}\\fscy{popped}\\t(0,120,\\fscx{scale}\\fscy{scale})}}" + Emphasised(w, emphasis, highlight, reset) + reset
                            : Emphasised(w, emphasis, highlight, reset)));
                    }

                    break;
                default:
                    Event(text, "Caption", caption.Start, caption.End, lead + Render(caption, w => Emphasised(w, emphasis, highlight, reset)));
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>The first lines of every script: script info at the output's size, then the styles section's format line.</summary>
    internal static StringBuilder Header(int width, int height)
    {
        var text = new StringBuilder();
        text.Append("[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n");
        text.Append(CultureInfo.InvariantCulture, $"PlayResX: {width}\nPlayResY: {height}\n\n");
        text.Append("[V4+ Styles]\n").Append(StyleFormat).Append('\n');
        return text;
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

    private static string Emphasised(Speech.Word word, IReadOnlySet<string> emphasis, string highlight, string reset) =>
        emphasis.Contains(Speech.WordText.Normalize(word.Text)) ? highlight + Escape(word.Text) + reset : Escape(word.Text);

    private static string Render(Caption caption, Func<Speech.Word, string> word) =>
        string.Join("\\N", caption.Lines.Select(line => string.Join(' ', line.Select(word))));

    internal static void Event(StringBuilder text, string style, double start, double end, string body) =>
        text.Append(CultureInfo.InvariantCulture, $"Dialogue: 0,{Time(start)},{Time(Math.Max(end, start + 0.01))},{style},,0,0,0,,{body}\n");

    private static string Time(double seconds)
    {
        var centiseconds = (long)Math.Round(Math.Max(0, seconds) * 100);
        return string.Create(CultureInfo.InvariantCulture, $"{centiseconds / 360000}:{centiseconds / 6000 % 60:00}:{centiseconds / 100 % 60:00}.{centiseconds % 100:00}");
    }
}
