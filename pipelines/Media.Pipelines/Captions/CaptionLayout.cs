using System.Globalization;
using Media.Pipelines.Speech;

namespace Media.Pipelines.Captions;

/// <summary>
/// Timed words -> captions: at most MaxLines lines that fit (drawn width when <see cref="LineWidth"/> is given, else
/// MaxChars characters), a new caption at a sentence end, a long pause or the longest time on screen; none shorter than
/// the shortest readable time; no caption of a lone word when it can join its neighbour; the fewest lines, balanced.
/// A word too wide for a line on its own gets a line of its own (the ASS writer shrinks it). Casing and punctuation
/// are tidied for recogniser output. Pure.
/// </summary>
public sealed record CaptionLayout
{
    /// <summary>Characters per line; 0 = no character limit (only the drawn width counts).</summary>
    public int MaxChars { get; init; } = 24;

    /// <summary>Pixels a line of these words takes once drawn (see <see cref="CaptionGeometry.LineWidth"/>); null: count characters.</summary>
    public Func<IReadOnlyList<string>, double>? LineWidth { get; init; }

    /// <summary>The widest a line may be drawn, in the units of <see cref="LineWidth"/>.</summary>
    public double MaxLineWidth { get; init; }

    public int MaxLines { get; init; } = 2;

    public int MaxWords { get; init; } = 8;

    public double MinSeconds { get; init; } = 0.8;

    public double MaxSeconds { get; init; } = 3.5;

    /// <summary>A pause longer than this starts a new caption.</summary>
    public double BreakPauseSeconds { get; init; } = 0.6;

    public CaptionCasing Casing { get; init; } = CaptionCasing.Sentence;

    public IReadOnlyList<Caption> Build(IReadOnlyList<Word> words)
    {
        var tidy = Tidy(words);
        var groups = new List<List<Word>>();
        var current = new List<Word>();
        foreach (var word in tidy)
        {
            if (current.Count > 0 && StartsNew(current, word))
            {
                groups.Add(current);
                current = [];
            }

            current.Add(word);
        }

        if (current.Count > 0)
        {
            groups.Add(current);
        }

        MergeOrphans(groups);
        return Timed(groups.Select(g => Lines(g)).ToList(), MinSeconds);
    }

    /// <summary>
    /// Captions whose breaks are given (an edit plan's): words in output time, each followed by nothing, a line break or a
    /// caption break; timed exactly as <see cref="Build"/> times the captions it chooses.
    /// </summary>
    public static IReadOnlyList<Caption> FromBreaks(IReadOnlyList<(Word Word, CaptionBreak Break)> words, double minSeconds = 0.8)
    {
        var captions = new List<List<IReadOnlyList<Word>>>();
        var lines = new List<IReadOnlyList<Word>>();
        var line = new List<Word>();
        foreach (var (word, after) in words)
        {
            line.Add(word);
            if (after == CaptionBreak.None)
            {
                continue;
            }

            lines.Add(line);
            line = [];
            if (after == CaptionBreak.Caption)
            {
                captions.Add(lines);
                lines = [];
            }
        }

        if (line.Count > 0)
        {
            lines.Add(line);
        }

        if (lines.Count > 0)
        {
            captions.Add(lines);
        }

        return Timed(captions, minSeconds);
    }

    // On screen from its first word until its last has been said (at least the shortest readable time), never past the next.
    private static List<Caption> Timed(IReadOnlyList<List<IReadOnlyList<Word>>> groups, double minSeconds)
    {
        var captions = new List<Caption>(groups.Count);
        for (var i = 0; i < groups.Count; i++)
        {
            var first = groups[i][0][0];
            var last = groups[i][^1][^1];
            var start = first.Start;
            var end = Math.Max(last.End, start + minSeconds);
            if (i + 1 < groups.Count)
            {
                end = Math.Min(end, groups[i + 1][0][0].Start);
            }

            captions.Add(new Caption(start, Math.Max(end, start + 0.05), groups[i]));
        }

        return captions;
    }

    private bool StartsNew(List<Word> current, Word next)
    {
        return !Fits([.. current, next])
            || current.Count >= MaxWords
            || next.End - current[0].Start > MaxSeconds
            || next.Start - current[^1].End > BreakPauseSeconds
            || EndsSentence(current[^1].Text);
    }

    // A caption of one word next to a caption it fits into joins it.
    private void MergeOrphans(List<List<Word>> groups)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups.Count < 2 || groups[i].Count != 1)
            {
                continue;
            }

            var target = i > 0 && !EndsSentence(groups[i - 1][^1].Text) ? i - 1 : i + 1 < groups.Count ? i + 1 : i - 1;
            var merged = target < i ? [.. groups[target], .. groups[i]] : new List<Word>([.. groups[i], .. groups[target]]);
            if (Fits(merged) && merged[^1].End - merged[0].Start <= MaxSeconds + 1)
            {
                groups[Math.Min(i, target)] = merged;
                groups.RemoveAt(Math.Max(i, target));
                i = Math.Max(-1, Math.Min(i, target) - 1);
            }
        }
    }

    // The words fit in MaxLines lines.
    private bool Fits(List<Word> words) => Lines(words).All(LineFits);

    private bool LineFits(IReadOnlyList<Word> line) =>
        (MaxChars <= 0 || Chars(line) <= MaxChars) && (LineWidth is null || LineWidth([.. line.Select(w => w.Text)]) <= MaxLineWidth);

    private static int Chars(IReadOnlyList<Word> line) => line.Sum(w => w.Text.Length + 1) - 1;

    // Fewest lines that fit, balanced (see BalancedLines).
    // When nothing fits, MaxLines lines split that way.
    private List<IReadOnlyList<Word>> Lines(List<Word> words)
    {
        List<IReadOnlyList<Word>> lines = [words];
        for (var count = 1; count <= Math.Min(MaxLines, words.Count); count++)
        {
            lines = Balanced(words, count);
            if (lines.All(LineFits))
            {
                break;
            }
        }

        return lines;
    }

    private List<IReadOnlyList<Word>> Balanced(List<Word> words, int count) =>
        [.. Text.BalancedLines.Split(words, count, line => LineWidth is null ? Chars(line) : LineWidth([.. line.Select(w => w.Text)]))];

    private List<Word> Tidy(IReadOnlyList<Word> words)
    {
        var result = new List<Word>(words.Count);
        var sentenceStart = true;
        foreach (var word in words)
        {
            var text = word.Text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            // Recognisers give no punctuation: a long pause is the best sign a sentence ended.
            sentenceStart |= result.Count > 0 && word.Start - result[^1].End > BreakPauseSeconds;

            text = Casing switch
            {
                CaptionCasing.Upper => text.ToUpper(CultureInfo.InvariantCulture),
                CaptionCasing.Sentence => Sentences.SentenceCase(text, sentenceStart),
                _ => text,
            };
            result.Add(word with { Text = text });
            sentenceStart = EndsSentence(text);
        }

        return result;
    }

    private static bool EndsSentence(string text) => Sentences.EndsSentence(text);
}
