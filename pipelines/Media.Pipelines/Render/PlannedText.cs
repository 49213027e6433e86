using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Text;

namespace Media.Pipelines.Render;

/// <summary>A text overlay resolved for one output: final wrapped text, pixel size, output-time window.</summary>
public sealed record PlannedText(string Text, double StartSeconds, double EndSeconds, int FontSize, string Color, string? BoxColor, TextPosition Position)
{
    public const int MaxLines = 4;

    /// <summary>
    /// Wraps at word boundaries so that each line, drawn at this size with its border, fits the width (glyph widths as
    /// libass draws them), at most <see cref="MaxLines"/> lines; the last ends with an ellipsis when text is left over.
    /// The author's line breaks stay. A word wider than a line keeps a line of its own (the title is then drawn smaller).
    /// </summary>
    public static string Wrap(string text, int fontSize, double maxWidth, TextWidths widths)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var words = paragraph.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            // The fewest lines that fit, balanced; text too long for MaxLines lines is cut below anyway, so greedy lines will do.
            double Width(IReadOnlyList<string> line) => widths.Width(string.Join(' ', line), fontSize);
            List<List<string>>? chosen = null;
            var balance = Width(words) <= MaxLines * maxWidth;
            for (var count = 1; balance && count <= Math.Min(words.Length, MaxLines) && chosen is null; count++)
            {
                var split = BalancedLines.Split(words, count, Width);
                chosen = split.All(l => l.Count == 1 || Width(l) <= maxWidth) ? split : null;
            }

            lines.AddRange((chosen ?? Greedy(words, Width, maxWidth)).Select(l => string.Join(' ', l)));
        }

        if (lines.Count > MaxLines)
        {
            var words = lines[MaxLines - 1].Split(' ').ToList();
            while (words.Count > 1 && widths.Width(string.Join(' ', words) + "…", fontSize) > maxWidth)
            {
                words.RemoveAt(words.Count - 1);
            }

            lines = [.. lines.Take(MaxLines - 1), string.Join(' ', words) + "…"];
        }

        return string.Join('\n', lines);
    }

    private static List<List<string>> Greedy(IEnumerable<string> words, Func<IReadOnlyList<string>, double> width, double maxWidth)
    {
        var lines = new List<List<string>> { new() };
        foreach (var word in words)
        {
            if (lines[^1].Count > 0 && width([.. lines[^1], word]) > maxWidth)
            {
                lines.Add([]);
            }

            lines[^1].Add(word);
        }

        return lines;
    }
}
