using System.Globalization;
using System.Text;
using System.Text.Json;
using Media.Pipelines.Speech;

namespace Media.Pipelines.Publishing;

/// <summary>
/// A title, description and hashtags for publishing, drawn from the transcript alone (no external service):
/// keywords are the words said most often that are not stop words; the title is the early sentence that
/// carries the most of them (openings are where hooks live); the description is the opening sentences.
/// </summary>
public sealed record PublishSuggestions(string Title, string Description, IReadOnlyList<string> Hashtags, IReadOnlyList<string> Keywords, string Source)
{
    public const string DocumentName = "publish.json";
    public const int MaxTitleLength = 70;
    public const int MaxDescriptionLength = 300;
    public const int MaxHashtags = 5;
    private const int MaxKeywords = 8;
    private const int TitleCandidates = 6;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Null when there is too little speech to say anything (fewer than 3 words).</summary>
    public static PublishSuggestions? FromTranscript(Transcript? transcript)
    {
        var words = transcript?.Words.Where(w => Clean(w.Text).Length > 0).ToList() ?? [];
        if (transcript is null || words.Count < 3)
        {
            return null;
        }

        var keywords = Media.Pipelines.Publishing.Keywords.Top(words, MaxKeywords, transcript.ScriptAligned);
        var sentences = Sentences.Split(words);
        var keywordWeight = keywords.Select((k, rank) => (k, Weight: MaxKeywords - rank)).ToDictionary(x => x.k, x => x.Weight, StringComparer.Ordinal);
        var best = sentences.Take(TitleCandidates)
            .Select((s, index) => (Sentence: s, Score: Enumerable.Range(s.Start, s.Count).Sum(i => keywordWeight.GetValueOrDefault(WordText.Normalize(words[i].Text))) / Math.Sqrt(Math.Max(4, s.Count)), index))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.index)
            .First().Sentence;
        var title = Truncate(Render(words, best.Start, best.Count).TrimEnd('.', ',', ';', ':'), MaxTitleLength);

        var hashtags = keywords.Take(MaxHashtags).Select(k => "#" + k).ToList();
        var description = new StringBuilder();
        foreach (var (start, count) in sentences)
        {
            var sentence = Render(words, start, count);
            if (description.Length > 0 && description.Length + 1 + sentence.Length > MaxDescriptionLength)
            {
                break;
            }

            description.Append(description.Length > 0 ? " " : string.Empty).Append(sentence);
        }

        var source = transcript.ScriptAligned ? "script" : $"transcript ({transcript.Backend})";
        return new PublishSuggestions(title, Truncate(description.ToString(), MaxDescriptionLength), hashtags, keywords, source);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static PublishSuggestions? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<PublishSuggestions>(json, Json);

    private static string Render(IReadOnlyList<Word> words, int start, int count)
    {
        var text = new StringBuilder();
        for (var i = start; i < start + count; i++)
        {
            var word = Sentences.SentenceCase(Clean(words[i].Text), sentenceStart: i == start);
            text.Append(text.Length > 0 ? " " : string.Empty).Append(word);
        }

        return text.ToString();
    }

    // Recogniser tokens and script words may carry control, bidi-override or markup characters; a title must not.
    private static string Clean(string text) =>
        new(text.Trim().Where(c => char.GetUnicodeCategory(c) is not (UnicodeCategory.Control or UnicodeCategory.Format) && c is not ('<' or '>')).ToArray());

    private static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', max - 1);
        return text[..(cut > max / 2 ? cut : max - 1)].TrimEnd(',', ';', ':', ' ') + "…";
    }
}
