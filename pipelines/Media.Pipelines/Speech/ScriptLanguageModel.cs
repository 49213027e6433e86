using System.Globalization;
using System.Text;

namespace Media.Pipelines.Speech;

/// <summary>
/// A tiny ARPA bigram model built from the script: every script word is likely, and the word that follows it in
/// the script is far more likely than any other. Given to the recogniser instead of its general model, it
/// constrains decoding to the script while still tolerating skipped or repeated words.
/// </summary>
public static class ScriptLanguageModel
{
    public static string Build(IReadOnlyList<string> words)
    {
        var vocabulary = words.Distinct(StringComparer.Ordinal).ToList();
        var pairs = words.Zip(words.Skip(1)).Distinct().ToList();
        var starts = words.Count > 0 ? words[0] : null;
        var unigram = Math.Log10(1.0 / (vocabulary.Count + 2));
        var builder = new StringBuilder();
        builder.Append("\\data\\\n");
        builder.Append(CultureInfo.InvariantCulture, $"ngram 1={vocabulary.Count + 2}\n");
        builder.Append(CultureInfo.InvariantCulture, $"ngram 2={pairs.Count + 1 + (starts is null ? 0 : 1)}\n\n");
        builder.Append("\\1-grams:\n");
        builder.Append(CultureInfo.InvariantCulture, $"{unigram:0.0000} </s> 0.0000\n");
        builder.Append("-99.0000 <s> -0.3010\n");
        foreach (var word in vocabulary)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{unigram:0.0000} {word} -0.3010\n");
        }

        builder.Append("\n\\2-grams:\n");
        if (starts is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $"-0.0458 <s> {starts}\n");
        }

        foreach (var (a, b) in pairs)
        {
            builder.Append(CultureInfo.InvariantCulture, $"-0.0458 {a} {b}\n");
        }

        builder.Append(CultureInfo.InvariantCulture, $"-0.3010 {words[^1]} </s>\n");
        builder.Append("\n\\end\\\n");
        return builder.ToString();
    }
}
