using Media.Pipelines.Speech;

namespace Media.Pipelines.Publishing;

/// <summary>
/// The words a piece is about: said most often, not stop words, not numbers, and heard with some confidence (a word the
/// recogniser barely guessed never becomes a hashtag, a title word or a highlighted caption). A script's words are trusted.
/// </summary>
public static class Keywords
{
    /// <summary>Recognised words below this confidence are not keyword material.</summary>
    public const double MinConfidence = 0.3;

    /// <summary>Highlighted captions: about this many keywords per minute of output.</summary>
    public const double CaptionKeywordsPerMinute = 3;

    /// <summary>The most frequent keywords, most frequent first (ties: the earlier said).</summary>
    public static IReadOnlyList<string> Top(IReadOnlyList<Word> words, int count, bool trusted)
    {
        var counts = new Dictionary<string, (int Count, int First)>(StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            var token = WordText.Normalize(words[i].Text);
            // Hashtags are letters and digits only; contractions and numbers say little about the subject.
            if (token.Length < 3 || StopWords.English.Contains(token) || !token.All(char.IsLetterOrDigit) || token.All(char.IsDigit)
                || (!trusted && words[i].Confidence < MinConfidence))
            {
                continue;
            }

            counts[token] = counts.TryGetValue(token, out var seen) ? (seen.Count + 1, seen.First) : (1, i);
        }

        return [.. counts.OrderByDescending(c => c.Value.Count).ThenBy(c => c.Value.First).Take(count).Select(c => c.Key)];
    }

    /// <summary>What `emphasis: auto` highlights in captions: a few keywords per minute of the output, never stop words.</summary>
    public static IReadOnlySet<string> ForCaptions(Transcript transcript, double outputSeconds)
    {
        var count = Math.Clamp((int)Math.Round(CaptionKeywordsPerMinute * outputSeconds / 60), 1, 12);
        return Top(transcript.Words, count, transcript.ScriptAligned).ToHashSet(StringComparer.Ordinal);
    }
}
