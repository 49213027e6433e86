using System.Text;
using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>A text overlay resolved for one output: final wrapped text, pixel size, output-time window.</summary>
public sealed record PlannedText(string Text, double StartSeconds, double EndSeconds, int FontSize, string Color, string? BoxColor, TextPosition Position)
{
    public const int MaxLines = 4;

    /// <summary>
    /// Wraps at word boundaries to fit the safe width, at most <see cref="MaxLines"/> lines (the last ends with
    /// an ellipsis when text is left over). Widths are estimated from the font size (0.6 em per character),
    /// a safe overestimate for the bold sans font used.
    /// </summary>
    public static string Wrap(string text, int fontSize, int maxWidthPixels)
    {
        var maxChars = Math.Max(8, (int)(maxWidthPixels / (fontSize * 0.6)));
        var lines = new List<StringBuilder>();
        var current = new StringBuilder();
        // The author's line breaks stay; each line is wrapped on its own.
        foreach (var paragraph in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            foreach (var raw in paragraph.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                AddWord(raw);
            }

            Flush();
        }

        if (lines.Count > MaxLines)
        {
            lines = lines.Take(MaxLines).ToList();
            var last = lines[^1];
            if (last.Length > maxChars - 1)
            {
                last.Length = maxChars - 1;
            }

            last.Append('…');
        }

        return string.Join('\n', lines.Select(l => l.ToString()));

        void AddWord(string raw)
        {
            var word = raw;
            while (word.Length > maxChars)
            {
                // A word longer than a line (a URL, a hash) is broken where it must be.
                Flush();
                lines.Add(new StringBuilder(word[..maxChars]));
                word = word[maxChars..];
            }

            if (current.Length > 0 && current.Length + 1 + word.Length > maxChars)
            {
                Flush();
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(word);
        }

        void Flush()
        {
            if (current.Length > 0)
            {
                lines.Add(current);
                current = new StringBuilder();
            }
        }
    }
}
