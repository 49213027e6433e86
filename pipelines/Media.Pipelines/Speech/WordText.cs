using System.Text;

namespace Media.Pipelines.Speech;

/// <summary>Word comparison form: lower case, letters, digits and inner apostrophes only ("Don't," -> "don't").</summary>
public static class WordText
{
    public static string Normalize(string word)
    {
        var builder = new StringBuilder(word.Length);
        foreach (var c in word.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || (c == '\'' && builder.Length > 0))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().TrimEnd('\'');
    }

    /// <summary>A text's words for comparison (empty ones dropped).</summary>
    public static IReadOnlyList<string> Split(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Normalize).Where(w => w.Length > 0).ToList();

    /// <summary>Word error rate: (substitutions + deletions + insertions) / reference words.</summary>
    public static double ErrorRate(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        if (reference.Count == 0)
        {
            return hypothesis.Count == 0 ? 0 : 1;
        }

        var previous = Enumerable.Range(0, hypothesis.Count + 1).ToArray();
        var current = new int[hypothesis.Count + 1];
        for (var i = 1; i <= reference.Count; i++)
        {
            current[0] = i;
            for (var j = 1; j <= hypothesis.Count; j++)
            {
                var substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return (double)previous[hypothesis.Count] / reference.Count;
    }
}
