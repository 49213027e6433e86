namespace Media.Pipelines.FFmpeg;

/// <summary>
/// A sum of many terms as one ffmpeg expression. ffmpeg refuses an expression tree about 100 deep ("Failed to configure
/// input pad", "Error while parsing expression"), and a flat sum of n terms is n deep: up to <see cref="FlatTerms"/>
/// terms are written flat, more are summed as a balanced tree of parenthesised halves (depth about 16 + log2 n).
/// </summary>
public static class ExpressionSum
{
    /// <summary>The most terms written as one flat sum.</summary>
    public const int FlatTerms = 16;

    /// <param name="terms">Each with its sign ("+3*…", "-2*…"); the first may have none. A leading '+' is dropped.</param>
    public static string Of(IReadOnlyList<string> terms)
    {
        if (terms.Count <= FlatTerms)
        {
            var flat = string.Concat(terms);
            return flat.StartsWith('+') ? flat[1..] : flat;
        }

        var half = terms.Count / 2;
        return "(" + Of(terms.Take(half).ToList()) + ")+(" + Of(terms.Skip(half).ToList()) + ")";
    }
}
