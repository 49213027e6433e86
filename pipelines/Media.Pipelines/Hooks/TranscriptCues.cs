using Media.Pipelines.Speech;

namespace Media.Pipelines.Hooks;

/// <summary>
/// Word-level cues that openings which hold viewers tend to share: a question, talking to the viewer ("you"),
/// a number, a superlative, an imperative first word. Plain word lists (English), so recogniser output without
/// punctuation still counts.
/// </summary>
public static class TranscriptCues
{
    private static readonly HashSet<string> QuestionWords = new(["what", "why", "how", "who", "when", "where", "which", "ever", "did", "do", "does", "is", "are", "can", "would", "should"], StringComparer.Ordinal);
    private static readonly HashSet<string> SecondPerson = new(["you", "your", "you're", "yours", "yourself", "you've", "you'll", "ya"], StringComparer.Ordinal);
    private static readonly HashSet<string> NumberWords = new(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand", "million", "billion", "percent", "half", "double", "twice", "first", "second", "third"], StringComparer.Ordinal);
    private static readonly HashSet<string> Superlatives = new(["best", "worst", "most", "least", "never", "always", "every", "biggest", "fastest", "easiest", "only", "secret", "nobody", "everyone", "everything", "ultimate", "perfect"], StringComparer.Ordinal);
    private static readonly HashSet<string> Imperatives = new(["stop", "look", "listen", "imagine", "watch", "try", "don't", "never", "here's", "let's", "think", "remember", "check", "wait", "forget", "meet"], StringComparer.Ordinal);

    /// <summary>Per word: is it part of a question, second person, a number, a superlative, an imperative sentence opening.</summary>
    public static IReadOnlyList<(bool Question, bool SecondPerson, bool Number, bool Superlative, bool Imperative)> Of(IReadOnlyList<Word> words)
    {
        var cues = new (bool, bool, bool, bool, bool)[words.Count];
        foreach (var (sentenceStart, count) in Sentences.Split(words))
        {
            // A sentence is a question when it ends with "?" or opens with a question word.
            var first = WordText.Normalize(words[sentenceStart].Text);
            var question = words[sentenceStart + count - 1].Text.EndsWith('?') || QuestionWords.Contains(first);
            var imperative = Imperatives.Contains(first);
            for (var j = sentenceStart; j < sentenceStart + count; j++)
            {
                var word = WordText.Normalize(words[j].Text);
                cues[j] = (question, SecondPerson.Contains(word), NumberWords.Contains(word) || word.Any(char.IsAsciiDigit),
                    Superlatives.Contains(word) || (word.Length > 5 && word.EndsWith("est", StringComparison.Ordinal)), imperative && j - sentenceStart < 3);
            }
        }

        return cues;
    }
}
