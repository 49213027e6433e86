using System.Buffers.Binary;
using System.Collections.Concurrent;
using SkiaSharp;

namespace Media.Pipelines.Fonts;

/// <summary>
/// How wide libass draws a piece of text at an ASS font size, measured from the glyphs (HarfBuzz shaping, the same
/// font files libass finds through fontconfig, fallback per character as <see cref="FontSet"/> chooses). libass sizes
/// a font so that its OS/2 Windows ascent plus descent is the ASS size (VSFilter's rule), so one em is
/// size × unitsPerEm / (winAscent + winDescent) pixels; each fallback font has its own factor. Words are measured once
/// and cached (widths scale linearly: shaping is unhinted); a line is its words plus its spaces. Thread-safe.
/// </summary>
public sealed class TextWidths : IDisposable
{
    /// <summary>
    /// The fonts libass falls back to on the Debian images, in fontconfig's order. The colour emoji font is not among
    /// them: libass draws outlines only, so emoji come from Symbola's black-and-white drawings.
    /// </summary>
    public static readonly IReadOnlyList<string> LibassFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
        "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    ];

    private static readonly ConcurrentDictionary<string, Lazy<TextWidths>> Shared = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private readonly FontSet _fonts;
    private readonly ConcurrentDictionary<string, double> _perUnitSize = new(StringComparer.Ordinal);
    private readonly Dictionary<SKTypeface, double> _emPerSize = [];

    /// <param name="primaryFont">The caption and title font (Media:Tools:Font); null: DejaVu Sans Bold.</param>
    public TextWidths(string? primaryFont)
    {
        _fonts = new FontSet(string.IsNullOrWhiteSpace(primaryFont) ? LibassFiles : [primaryFont, .. LibassFiles]);
        FamilyName = _fonts.Primary.FamilyName;
    }

    /// <summary>The Debian fonts, shared by every caller that has no font of its own.</summary>
    public static TextWidths Default => For(null);

    /// <summary>One shared instance per primary font (the configured Media:Tools:Font, or null for the default).</summary>
    public static TextWidths For(string? primaryFont) =>
        Shared.GetOrAdd(primaryFont ?? string.Empty, key => new Lazy<TextWidths>(() => new TextWidths(key.Length == 0 ? null : key))).Value;

    /// <summary>The family name to put in an ASS style so that libass uses the primary font.</summary>
    public string FamilyName { get; }

    /// <summary>Width in pixels of the text drawn at this ASS font size (no outline, no scaling).</summary>
    public double Width(string text, double assFontSize)
    {
        var total = 0.0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            total += _perUnitSize.GetOrAdd(word, Measure);
        }

        var spaces = text.Count(c => c == ' ');
        return (total + (spaces * _perUnitSize.GetOrAdd(" ", Measure))) * assFontSize;
    }

    /// <summary>The characters of the text that no font here can draw (libass would show a box or nothing).</summary>
    public IReadOnlyList<string> Missing(string text)
    {
        lock (_gate)
        {
            return [.. _fonts.Runs(text).SelectMany(r => FontSet.MissingGlyphs(r.Typeface, r.Text)).Distinct(StringComparer.Ordinal)];
        }
    }

    public void Dispose() => _fonts.Dispose();

    private double Measure(string word)
    {
        lock (_gate)
        {
            const float reference = 100;
            var width = 0.0;
            foreach (var run in _fonts.Runs(word))
            {
                width += _fonts.Measure(run, (float)(reference * EmPerSize(run.Typeface))) / reference;
            }

            return width;
        }
    }

    // libass: FT_Request_Size(REAL_DIM, size × hhea height / OS/2 win height) makes the em size × upem / win height.
    private double EmPerSize(SKTypeface typeface)
    {
        if (_emPerSize.TryGetValue(typeface, out var factor))
        {
            return factor;
        }

        factor = 1.0;
        if (typeface.TryGetTableData(Tag("OS/2"), out var os2) && os2.Length >= 78 && typeface.TryGetTableData(Tag("hhea"), out var hhea) && hhea.Length >= 8)
        {
            var winHeight = BinaryPrimitives.ReadUInt16BigEndian(os2.AsSpan(74)) + BinaryPrimitives.ReadUInt16BigEndian(os2.AsSpan(76));
            var horiHeight = BinaryPrimitives.ReadInt16BigEndian(hhea.AsSpan(4)) - BinaryPrimitives.ReadInt16BigEndian(hhea.AsSpan(6));
            factor = winHeight > 0 && horiHeight > 0
                ? (double)typeface.UnitsPerEm / winHeight
                : (double)typeface.UnitsPerEm / Math.Max(1, horiHeight);
        }

        _emPerSize[typeface] = factor;
        return factor;
    }

    private static uint Tag(string name) => (uint)((name[0] << 24) | (name[1] << 16) | (name[2] << 8) | name[3]);
}
