using System.Globalization;
using System.Text;

namespace Media.Pipelines.Text;

/// <summary>
/// Break opportunities: after spaces, and between CJK characters (those scripts do not use spaces).
/// </summary>
public static class TextTokenizer
{
    public static IReadOnlyList<TextToken> Tokenize(string text)
    {
        var tokens = new List<TextToken>();
        var current = new StringBuilder();
        var elements = StringInfo.GetTextElementEnumerator(text.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' '));
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            if (element == " ")
            {
                Flush(spaceAfter: true);
                continue;
            }

            if (IsCjk(element))
            {
                Flush(spaceAfter: false);
                tokens.Add(new TextToken(element, false));
                continue;
            }

            current.Append(element);
        }

        Flush(spaceAfter: false);
        return tokens;

        void Flush(bool spaceAfter)
        {
            if (current.Length > 0)
            {
                tokens.Add(new TextToken(current.ToString(), spaceAfter));
                current.Clear();
            }
            else if (spaceAfter && tokens.Count > 0 && !tokens[^1].SpaceAfter)
            {
                tokens[^1] = tokens[^1] with { SpaceAfter = true };
            }
        }
    }

    /// <summary>True when the first strong character is Hebrew or Arabic: the line reads right to left.</summary>
    public static bool IsRightToLeft(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (value is (>= 0x0590 and <= 0x08FF) or (>= 0xFB1D and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF))
            {
                return true;
            }

            if (Rune.IsLetter(rune))
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsCjk(string element)
    {
        var value = char.ConvertToUtf32(element, 0);
        return value is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
            or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF) or (>= 0xFF00 and <= 0xFFEF) or (>= 0x20000 and <= 0x2FFFF)
            or (>= 0x3000 and <= 0x303F);
    }
}
