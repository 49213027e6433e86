namespace Media.Pipelines.Speech;

/// <summary>
/// Script-aligned captions: the script's words, timed by the recognised words they line up with (edit-distance
/// alignment, so a misheard word still lends its time to the script word in its place). Script words with no
/// partner get times interpolated between their neighbours, in proportion to their length: never dropped.
/// </summary>
public static class ScriptAligner
{
    public static IReadOnlyList<Word> Align(string script, IReadOnlyList<Word> recognized, double totalSeconds)
    {
        var tokens = script.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            return [];
        }

        var scriptKeys = tokens.Select(WordText.Normalize).ToArray();
        var heard = recognized.Select(w => WordText.Normalize(w.Text)).ToArray();
        var partner = AlignIndexes(scriptKeys, heard);

        var timed = new Word?[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (partner[i] is { } j)
            {
                var w = recognized[j];
                timed[i] = new Word(tokens[i], w.Start, w.End, scriptKeys[i] == heard[j] ? w.Confidence : w.Confidence / 2);
            }
        }

        return Interpolate(tokens, timed, recognized.Count > 0 ? recognized[0].Start : 0, recognized.Count > 0 ? recognized[^1].End : totalSeconds);
    }

    // Edit-distance alignment; a substitution costs a little more the less alike the two words are, so a
    // misheard word lines up with the script word it sounds like. Returns each script word's partner.
    private static int?[] AlignIndexes(string[] script, string[] heard)
    {
        var n = script.Length;
        var m = heard.Length;
        var cost = new double[n + 1, m + 1];
        for (var i = 0; i <= n; i++)
        {
            cost[i, 0] = i;
        }

        for (var j = 0; j <= m; j++)
        {
            cost[0, j] = j;
        }

        for (var i = 1; i <= n; i++)
        {
            for (var j = 1; j <= m; j++)
            {
                var diagonal = cost[i - 1, j - 1] + Substitution(script[i - 1], heard[j - 1]);
                cost[i, j] = Math.Min(diagonal, Math.Min(cost[i - 1, j] + 1, cost[i, j - 1] + 1));
            }
        }

        var result = new int?[n];
        int a = n, b = m;
        while (a > 0 && b > 0)
        {
            if (Math.Abs(cost[a, b] - (cost[a - 1, b - 1] + Substitution(script[a - 1], heard[b - 1]))) < 1e-9)
            {
                result[a - 1] = b - 1;
                a--;
                b--;
            }
            else if (Math.Abs(cost[a, b] - (cost[a - 1, b] + 1)) < 1e-9)
            {
                a--;
            }
            else
            {
                b--;
            }
        }

        return result;
    }

    private static double Substitution(string a, string b) => a == b ? 0 : 1 + (0.5 * (1 - Similarity(a, b)));

    // 1 - normalised character edit distance.
    private static double Similarity(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return 1 - ((double)previous[b.Length] / Math.Max(1, Math.Max(a.Length, b.Length)));
    }

    private static List<Word> Interpolate(string[] tokens, Word?[] timed, double first, double last)
    {
        var words = new List<Word>(tokens.Length);
        var i = 0;
        while (i < tokens.Length)
        {
            if (timed[i] is { } known)
            {
                words.Add(known);
                i++;
                continue;
            }

            // A run of unplaced words between the previous placed word's end and the next one's start.
            var runEnd = i;
            while (runEnd < tokens.Length && timed[runEnd] is null)
            {
                runEnd++;
            }

            var from = words.Count > 0 ? words[^1].End : first;
            var to = runEnd < tokens.Length ? timed[runEnd]!.Start : Math.Max(last, from);
            if (to <= from && words.Count == 0 && runEnd < tokens.Length)
            {
                // The script's first words, unheard, right before the first heard one (never after it).
                from = Math.Max(0, to - (0.3 * (runEnd - i)));
            }
            else if (to <= from)
            {
                to = from + (0.3 * (runEnd - i));
            }

            var letters = tokens[i..runEnd].Sum(t => Math.Max(1, t.Length));
            var cursor = from;
            for (var k = i; k < runEnd; k++)
            {
                var span = (to - from) * Math.Max(1, tokens[k].Length) / letters;
                words.Add(new Word(tokens[k], cursor, cursor + span, 0));
                cursor += span;
            }

            i = runEnd;
        }

        return words;
    }
}
