using System.Globalization;
using SkiaSharp;

namespace Media.Pipelines.Thumbnails.Templates;

public static class ColorParser
{
    public static bool TryParse(string? text, out SKColor color)
    {
        color = SKColors.Transparent;
        if (text is null || text.Length is not (7 or 9) || text[0] != '#'
            || !uint.TryParse(text.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        color = text.Length == 7
            ? new SKColor((byte)(value >> 16), (byte)(value >> 8), (byte)value)
            : new SKColor((byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value);
        return true;
    }

    /// <summary>Parses a colour after merge fields were filled; a bad value names where it came from.</summary>
    public static SKColor Resolve(string text, string what) =>
        TryParse(text, out var color) ? color : throw new InvalidDataException($"{what} '{text}' is not a colour (#RRGGBB or #RRGGBBAA).");
}
