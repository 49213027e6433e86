using System.Globalization;
using System.Text;
using SkiaSharp;
using SkiaSharp.HarfBuzz;
using Media.Pipelines.Text;

namespace Media.Pipelines.Fonts;

/// <summary>
/// A primary font plus fallbacks (CJK, colour emoji), loaded by path because Skia's default typeface on a bare
/// Linux box has no glyphs. Text is split into runs, each in the first font that has its glyphs, and shaped
/// with HarfBuzz (ligatures, Arabic joining, right-to-left order). Not thread-safe: one per composition thread.
/// </summary>
public sealed class FontSet : IDisposable
{
    /// <summary>Debian fonts tried in order; the first existing one is the primary.</summary>
    public static readonly IReadOnlyList<string> DefaultFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
        "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
        "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    ];

    private readonly List<SKTypeface> _typefaces = [];
    private readonly Dictionary<SKTypeface, SKShaper> _shapers = [];

    public FontSet(IEnumerable<string> files)
    {
        foreach (var file in files.Where(File.Exists).Distinct(StringComparer.Ordinal))
        {
            if (SKTypeface.FromFile(file) is { } typeface)
            {
                _typefaces.Add(typeface);
            }
        }

        if (_typefaces.Count == 0)
        {
            throw new FileNotFoundException("No usable font found for thumbnail text. Install Debian's fonts-dejavu-core (and fonts-wqy-microhei, fonts-noto-color-emoji for CJK and emoji) or set Media:Tools:Font.");
        }
    }

    /// <summary>The configured font first (when set), then the Debian defaults.</summary>
    public static FontSet Create(string? primaryFont) =>
        new(string.IsNullOrWhiteSpace(primaryFont) ? DefaultFiles : [primaryFont, .. DefaultFiles]);

    public SKTypeface Primary => _typefaces[0];

    /// <summary>Splits text into runs of one typeface each; characters no font has stay in the primary font.</summary>
    public IReadOnlyList<TextRun> Runs(string text)
    {
        var runs = new List<TextRun>();
        var current = new StringBuilder();
        SKTypeface? currentFace = null;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            var face = Choose(element, currentFace);
            if (currentFace is not null && face != currentFace)
            {
                runs.Add(new TextRun(current.ToString(), currentFace, IsEmojiFace(currentFace)));
                current.Clear();
            }

            currentFace = face;
            current.Append(element);
        }

        if (currentFace is not null && current.Length > 0)
        {
            runs.Add(new TextRun(current.ToString(), currentFace, IsEmojiFace(currentFace)));
        }

        return runs;
    }

    public float Measure(TextRun run, float size)
    {
        using var font = new SKFont(run.Typeface, size);
        return Shaper(run.Typeface).Shape(run.Text, font).Width;
    }

    public void Draw(SKCanvas canvas, TextRun run, float x, float baseline, float size, SKPaint paint)
    {
        using var font = new SKFont(run.Typeface, size) { Subpixel = true, Edging = SKFontEdging.Antialias };
        canvas.DrawShapedText(Shaper(run.Typeface), run.Text, x, baseline, font, paint);
    }

    /// <summary>True when some font in the set has every glyph of the text (no tofu boxes).</summary>
    public bool CanRender(string text) => Runs(text).All(r => HasGlyphs(r.Typeface, r.Text));

    public void Dispose()
    {
        foreach (var shaper in _shapers.Values)
        {
            shaper.Dispose();
        }

        foreach (var typeface in _typefaces)
        {
            typeface.Dispose();
        }
    }

    private SKShaper Shaper(SKTypeface typeface)
    {
        if (!_shapers.TryGetValue(typeface, out var shaper))
        {
            shaper = new SKShaper(typeface);
            _shapers.Add(typeface, shaper);
        }

        return shaper;
    }

    private SKTypeface Choose(string element, SKTypeface? current)
    {
        // Joiners and variation selectors belong to the run they join.
        if (current is not null && element.EnumerateRunes().All(r => r.Value is 0x200D or 0xFE0F or 0xFE0E || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark))
        {
            return current;
        }

        if (element.Length == 1 && char.IsWhiteSpace(element[0]))
        {
            return current ?? _typefaces[0];
        }

        // Text fonts such as DejaVu carry black-and-white drawings of some emoji; pictographs look as
        // people expect only in the colour emoji font.
        if (IsPictograph(element) && _typefaces.FirstOrDefault(t => IsEmojiFace(t) && HasGlyphs(t, element)) is { } emoji)
        {
            return emoji;
        }

        foreach (var typeface in _typefaces)
        {
            if (HasGlyphs(typeface, element))
            {
                return typeface;
            }
        }

        return _typefaces[0];
    }

    private static bool IsPictograph(string element) =>
        element.EnumerateRunes().Any(r => r.Value is (>= 0x1F000 and <= 0x1FAFF) or (>= 0x2600 and <= 0x27BF) or 0xFE0F);

    private static bool HasGlyphs(SKTypeface typeface, string text) => !MissingGlyphs(typeface, text).Any();

    /// <summary>The characters of the text the typeface has no glyph for (joiners, variation selectors and spaces need none).</summary>
    public static IEnumerable<string> MissingGlyphs(SKTypeface typeface, string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0x200D or 0xFE0F or 0xFE0E || Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format)
            {
                continue;
            }

            if (typeface.GetGlyph(rune.Value) == 0)
            {
                yield return rune.ToString();
            }
        }
    }

    private static bool IsEmojiFace(SKTypeface typeface) => typeface.FamilyName.Contains("Emoji", StringComparison.OrdinalIgnoreCase);
}
