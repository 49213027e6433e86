using System.Globalization;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;

namespace Media.Pipelines.Speech;

/// <summary>
/// CMU PocketSphinx (Debian's pocketsphinx_continuous with the en-us model) run as a tool: it streams the file
/// in utterances (its own silence detection), so memory stays flat however long the input. With a script, the
/// general language model is replaced by a bigram model of the script (see <see cref="ScriptLanguageModel"/>).
/// </summary>
public sealed class PocketSphinxRecognizer(ToolRunner runner, IOptions<SpeechOptions> options) : IRecognizer
{
    private readonly Lazy<HashSet<string>> _dictionary = new(() => LoadDictionary(Path.Combine(options.Value.PocketSphinxModel, "cmudict-en-us.dict")));

    public string Backend => "pocketsphinx";

    public string Model => "cmusphinx-en-us-5.2";

    public async Task<IReadOnlyList<Word>> RecognizeAsync(string wavPath, string? script, string workDirectory, CancellationToken cancellationToken)
    {
        var model = options.Value.PocketSphinxModel;
        if (!Directory.Exists(Path.Combine(model, "en-us")))
        {
            throw new RecognizerUnavailableException($"The pocketsphinx model is missing at {model} (install Debian's pocketsphinx-en-us, or set Media:Speech:PocketSphinxModel).");
        }

        var languageModel = Path.Combine(model, "en-us.lm.bin");
        if (script is not null)
        {
            var known = WordText.Split(script).Where(_dictionary.Value.Contains).ToList();
            if (known.Count > 0)
            {
                languageModel = Path.Combine(workDirectory, "script.arpa");
                await File.WriteAllTextAsync(languageModel, ScriptLanguageModel.Build(known), cancellationToken);
            }
        }

        var result = await runner.RunAsync(
            options.Value.PocketSphinxTool,
            [
                "-infile", wavPath,
                "-hmm", Path.Combine(model, "en-us"),
                "-lm", languageModel,
                "-dict", Path.Combine(model, "cmudict-en-us.dict"),
                "-time", "yes",
                "-logfn", "/dev/null",
            ],
            cancellationToken,
            captureStdout: true);
        return Parse(result.Stdout.Split('\n'));
    }

    /// <summary>Reads "word start end confidence" lines; fillers (&lt;s&gt;, &lt;sil&gt;, [NOISE]) and the per-utterance text lines are skipped.</summary>
    public static IReadOnlyList<Word> Parse(IEnumerable<string> lines)
    {
        var words = new List<Word>();
        foreach (var line in lines)
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4 || parts[0].StartsWith('<') || parts[0].StartsWith('[')
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var end)
                || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence))
            {
                continue;
            }

            // "read(2)" is the dictionary's second pronunciation of "read".
            var text = parts[0];
            var variant = text.IndexOf('(', StringComparison.Ordinal);
            words.Add(new Word(variant > 0 ? text[..variant] : text, start, end, Math.Clamp(confidence, 0, 1)));
        }

        return words;
    }

    private static HashSet<string> LoadDictionary(string path)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                var word = line[..space];
                var variant = word.IndexOf('(', StringComparison.Ordinal);
                words.Add(variant > 0 ? word[..variant] : word);
            }
        }

        return words;
    }
}
