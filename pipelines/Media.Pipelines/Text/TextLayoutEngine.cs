using System.Globalization;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Text;

/// <summary>
/// Fits text into a box: the largest size from max down to min at which it wraps into at most maxLines;
/// at the minimum size over-long words are broken and the last line ends with an ellipsis. The result
/// never exceeds the box.
/// </summary>
public static class TextLayoutEngine
{
    public const float LineSpacing = 1.2f;
    private const string Ellipsis = "…";

    public static TextBlockLayout Layout(FontSet fonts, string text, float maxWidth, float maxHeight, float maxSize, float minSize, int maxLines)
    {
        var tokens = TextTokenizer.Tokenize(text.Trim());
        if (tokens.Count == 0 || maxWidth <= 0 || maxHeight <= 0)
        {
            return TextBlockLayout.Empty;
        }

        var rtl = TextTokenizer.IsRightToLeft(text);
        maxSize = Math.Min(maxSize, maxHeight / LineSpacing);
        minSize = Math.Min(minSize, maxSize);
        for (var size = maxSize; size > minSize; size *= 0.92f)
        {
            var lines = Wrap(fonts, tokens, size, maxWidth);
            if (lines is not null && Fits(lines.Count, size))
            {
                return new TextBlockLayout(lines, size, size * LineSpacing, rtl, false);
            }
        }

        var pieces = tokens.SelectMany(t => Split(fonts, t, minSize, maxWidth)).ToList();
        var wrapped = Wrap(fonts, pieces, minSize, maxWidth)!;
        var allowed = Math.Max(1, Math.Min(maxLines, (int)(maxHeight / (minSize * LineSpacing))));
        if (wrapped.Count <= allowed)
        {
            return new TextBlockLayout(wrapped, minSize, minSize * LineSpacing, rtl, false);
        }

        var kept = wrapped.Take(allowed).ToList();
        kept[^1] = WithEllipsis(fonts, kept[^1], minSize, maxWidth);
        return new TextBlockLayout(kept, minSize, minSize * LineSpacing, rtl, true);

        bool Fits(int lineCount, float size) => lineCount <= maxLines && lineCount * size * LineSpacing <= maxHeight;
    }

    public static float Measure(FontSet fonts, string text, float size) => fonts.Runs(text).Sum(r => fonts.Measure(r, size));

    private static List<LaidOutLine>? Wrap(FontSet fonts, IReadOnlyList<TextToken> tokens, float size, float maxWidth)
    {
        var space = Measure(fonts, " ", size);
        var lines = new List<LaidOutLine>();
        var lineTokens = new List<TextToken>();
        var lineWidths = new List<float>();
        float width = 0;
        foreach (var token in tokens)
        {
            var tokenWidth = Measure(fonts, token.Text, size);
            if (tokenWidth > maxWidth)
            {
                return null;
            }

            var gap = lineTokens.Count > 0 && lineTokens[^1].SpaceAfter ? space : 0;
            if (lineTokens.Count > 0 && width + gap + tokenWidth > maxWidth)
            {
                lines.Add(new LaidOutLine([.. lineTokens], [.. lineWidths], space, width));
                lineTokens.Clear();
                lineWidths.Clear();
                width = 0;
                gap = 0;
            }

            lineTokens.Add(token);
            lineWidths.Add(tokenWidth);
            width += gap + tokenWidth;
        }

        if (lineTokens.Count > 0)
        {
            lines.Add(new LaidOutLine([.. lineTokens], [.. lineWidths], space, width));
        }

        return lines;
    }

    private static IEnumerable<TextToken> Split(FontSet fonts, TextToken token, float size, float maxWidth)
    {
        if (Measure(fonts, token.Text, size) <= maxWidth)
        {
            yield return token;
            yield break;
        }

        var piece = string.Empty;
        var elements = StringInfo.GetTextElementEnumerator(token.Text);
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            if (piece.Length > 0 && Measure(fonts, piece + element, size) > maxWidth)
            {
                yield return new TextToken(piece, false);
                piece = string.Empty;
            }

            piece += element;
        }

        yield return new TextToken(piece, token.SpaceAfter);
    }

    private static LaidOutLine WithEllipsis(FontSet fonts, LaidOutLine line, float size, float maxWidth)
    {
        var tokens = line.Tokens.ToList();
        while (true)
        {
            var candidate = tokens.Count == 0 ? [new TextToken(Ellipsis, false)] : tokens.Take(tokens.Count - 1).Append(tokens[^1] with { Text = tokens[^1].Text + Ellipsis, SpaceAfter = false }).ToList();
            var widths = candidate.Select(t => Measure(fonts, t.Text, size)).ToList();
            var width = widths.Sum() + candidate.Take(candidate.Count - 1).Count(t => t.SpaceAfter) * line.SpaceWidth;
            if (width <= maxWidth || tokens.Count == 0)
            {
                return new LaidOutLine(candidate, widths, line.SpaceWidth, width);
            }

            var last = tokens[^1].Text;
            var info = new StringInfo(last);
            tokens[^1] = tokens[^1] with { Text = info.LengthInTextElements > 1 ? info.SubstringByTextElements(0, info.LengthInTextElements - 1) : string.Empty };
            if (tokens[^1].Text.Length == 0)
            {
                tokens.RemoveAt(tokens.Count - 1);
            }
        }
    }
}
