namespace Media.Pipelines.Speech;

/// <summary>
/// Sentences of recognised words. Recognisers give little or no punctuation, so a pause is as good a sign of a
/// sentence end as a full stop.
/// </summary>
public static class Sentences
{
    public const double PauseSeconds = 0.6;

    public static bool EndsSentence(string text) => text.Length > 0 && text[^1] is '.' or '?' or '!';

    /// <summary>Each sentence as the index of its first word and its word count.</summary>
    public static IReadOnlyList<(int Start, int Count)> Split(IReadOnlyList<Word> words, double pauseSeconds = PauseSeconds)
    {
        var sentences = new List<(int, int)>();
        var start = 0;
        for (var i = 1; i <= words.Count; i++)
        {
            if (i == words.Count || words[i].Start - words[i - 1].End > pauseSeconds || EndsSentence(words[i - 1].Text))
            {
                sentences.Add((start, i - start));
                start = i;
            }
        }

        return sentences;
    }

    /// <summary>Sentence casing for recogniser output: the first word capitalised, and "i" as "I".</summary>
    public static string SentenceCase(string text, bool sentenceStart)
    {
        if (text.Length == 0)
        {
            return text;
        }

        if (text == "i" || text.StartsWith("i'", StringComparison.Ordinal))
        {
            return "I" + text[1..];
        }

        return sentenceStart && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;
    }
}
