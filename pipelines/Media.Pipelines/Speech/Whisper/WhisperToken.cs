using System.Text;

namespace Media.Pipelines.Speech.Whisper;

/// <summary>One decoded text token: its raw UTF-8 bytes (a token can hold half a character), times in seconds, probability.</summary>
public sealed record WhisperToken(byte[] Utf8, double Start, double End, float Probability)
{
    /// <summary>
    /// Joins BPE tokens into words: a token whose text starts with a space begins a new word. Bytes are joined before
    /// decoding so characters split across tokens survive. A word's confidence is its least sure token.
    /// </summary>
    public static IReadOnlyList<Word> ToWords(IEnumerable<WhisperToken> tokens)
    {
        var words = new List<Word>();
        var bytes = new List<byte>();
        double start = 0, end = 0;
        var confidence = 1f;

        void Flush()
        {
            var text = Encoding.UTF8.GetString([.. bytes]).Trim();
            if (text.Length > 0)
            {
                words.Add(new Word(text, start, Math.Max(start, end), Math.Clamp(confidence, 0, 1)));
            }

            bytes.Clear();
            confidence = 1f;
        }

        foreach (var token in tokens)
        {
            if (token.Utf8.Length > 0 && token.Utf8[0] == (byte)' ' && bytes.Count > 0)
            {
                Flush();
            }

            if (bytes.Count == 0)
            {
                start = token.Start;
            }

            bytes.AddRange(token.Utf8);
            end = token.End;
            confidence = Math.Min(confidence, token.Probability);
        }

        Flush();
        return words;
    }
}
