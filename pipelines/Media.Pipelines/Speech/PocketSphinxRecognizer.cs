using System.Globalization;
using Media.Pipelines.Analysis;
using Media.Pipelines.Tools;
using static System.FormattableString;
using Microsoft.Extensions.Options;

namespace Media.Pipelines.Speech;

/// <summary>
/// CMU PocketSphinx (Debian's pocketsphinx_batch with the en-us model) run as a tool over the utterances the analysis
/// found: each decoded on its own, with its own cepstral mean (-cmn batch), so a word depends only on its utterance's
/// samples and a chunked analysis hears what one pass hears. The tool reads each utterance from the file by its frames, so
/// memory stays flat however long the input. With a script, the general language model is replaced by a bigram model of
/// the script (see <see cref="ScriptLanguageModel"/>).
/// </summary>
public sealed class PocketSphinxRecognizer(ToolRunner runner, IOptions<SpeechOptions> options) : IRecognizer
{
    /// <summary>PocketSphinx's frames per second (10 ms shift): utterance edges and word times are in frames.</summary>
    public const int FramesPerSecond = 100;

    /// <summary>The most that following the word file reports: 1 (shown as 100%) waits until the log is read clean.</summary>
    public const double FollowedAtMost = 0.99;

    private readonly Lazy<HashSet<string>> _dictionary = new(() => LoadDictionary(Path.Combine(options.Value.PocketSphinxModel, "cmudict-en-us.dict")));

    public string Backend => "pocketsphinx";

    public string Model => "cmusphinx-en-us-5.2";

    public async Task<IReadOnlyList<Word>> RecognizeAsync(string wavPath, IReadOnlyList<TimeRange> utterances, string? script, string workDirectory, Action<double> progress, CancellationToken cancellationToken)
    {
        var model = options.Value.PocketSphinxModel;
        if (!Directory.Exists(Path.Combine(model, "en-us")))
        {
            throw new RecognizerUnavailableException($"The pocketsphinx model is missing at {model} (install Debian's pocketsphinx-en-us, or set Media:Speech:PocketSphinxModel).");
        }

        var frames = Frames(utterances);
        if (frames.Count == 0)
        {
            progress(1);
            return [];
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

        long dataOffset;
        using (var reader = PcmWavReader.Open(wavPath))
        {
            dataOffset = reader.DataOffset;
        }

        // The control file names its input by a path without spaces, relative to -cepdir and without -cepext: a link of a
        // fixed name in the work folder. One line per utterance: name, first and end frame, id.
        var input = Path.Combine(workDirectory, "recognize.wav");
        var control = Path.Combine(workDirectory, "utterances.ctl");
        var ctm = Path.Combine(workDirectory, "words.ctm");
        var log = Path.Combine(workDirectory, "pocketsphinx.log");
        try
        {
            File.Delete(input);
            File.CreateSymbolicLink(input, Path.GetFullPath(wavPath));
            await File.WriteAllLinesAsync(control, frames.Select((f, i) => Invariant($"recognize {f.Start} {f.End} u{i}")), cancellationToken);
            var run = runner.RunAsync(
                options.Value.PocketSphinxTool,
                [
                    "-ctl", control,
                    "-adcin", "yes",
                    "-adchdr", dataOffset.ToString(CultureInfo.InvariantCulture),
                    "-cepdir", workDirectory,
                    "-cepext", ".wav",
                    "-cmn", "batch",
                    // The utterances are speech already; its own silence removal would also shift the times it reports.
                    "-remove_silence", "no",
                    "-hmm", Path.Combine(model, "en-us"),
                    "-lm", languageModel,
                    "-dict", Path.Combine(model, "cmudict-en-us.dict"),
                    "-ctm", ctm,
                    "-logfn", log,
                ],
                cancellationToken);
            try
            {
                await FollowAsync(run, ctm, frames, progress, cancellationToken);
            }
            finally
            {
                await run; // never leave the tool running while the finally below deletes its files
            }

            // pocketsphinx_batch exits 0 when an utterance fails (and writes the previous one's words under its id): its log says so.
            var errors = File.ReadLines(log).Where(l => l.StartsWith("ERROR:", StringComparison.Ordinal)).Take(3).ToList();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"pocketsphinx_batch failed: {string.Join(" ", errors)}");
            }

            var words = ParseCtm(File.ReadLines(ctm), [.. frames.Select(f => (double)f.Start / FramesPerSecond)]);
            progress(1); // only once the run is known good: a failing run must not show 100% before its stage fails
            return words;
        }
        finally
        {
            foreach (var file in new[] { input, control, ctm, log })
            {
                File.Delete(file);
            }
        }
    }

    // pocketsphinx_batch writes its CTM unbuffered, each utterance's words as it finishes it: the last utterance named
    // there says how far it has got. Read once a second while it runs (one short line per word: about 130 KB for an
    // hour of speech).
    private static async Task FollowAsync(Task run, string ctm, IReadOnlyList<(long Start, long End)> frames, Action<double> progress, CancellationToken cancellationToken)
    {
        var reported = 0.0;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            if (cancellationToken.IsCancellationRequested || run.IsCompleted)
            {
                return; // the caller awaits the run (cancelled, or ended: then its log decides whether it is done)
            }

            string text;
            try
            {
                using var stream = new FileStream(ctm, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                text = reader.ReadToEnd();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // not created yet; progress only, the run decides
            }

            // The words written cannot say the run is good (a failed utterance is logged, not written): 1 waits for the log.
            var heard = Math.Min(Heard(text, frames), FollowedAtMost);
            if (heard > reported)
            {
                reported = heard;
                progress(heard);
            }
        }
    }

    /// <summary>
    /// How much of the utterances' frames a CTM written so far covers (0-1): utterances up to the last one named in a
    /// complete line are done. An utterance without words names none, and counts when a later one does.
    /// </summary>
    public static double Heard(string ctmSoFar, IReadOnlyList<(long Start, long End)> frames)
    {
        var complete = ctmSoFar.LastIndexOf('\n');
        var total = frames.Sum(f => f.End - f.Start);
        if (complete < 0 || total <= 0)
        {
            return 0;
        }

        var written = ctmSoFar.AsSpan(0, complete);
        var line = written[(written.LastIndexOf('\n') + 1)..].Trim();
        var space = line.IndexOf(' ');
        if (space < 2 || line[0] != 'u' || !int.TryParse(line[1..space], NumberStyles.None, CultureInfo.InvariantCulture, out var last) || last >= frames.Count)
        {
            return 0;
        }

        return (double)frames.Take(last + 1).Sum(f => f.End - f.Start) / total;
    }

    /// <summary>Utterances (seconds) -> frame ranges, in order, empty ones left out.</summary>
    public static IReadOnlyList<(long Start, long End)> Frames(IReadOnlyList<TimeRange> utterances) =>
        [.. utterances.OrderBy(u => u.Start)
            .Select(u => ((long)Math.Round(u.Start * FramesPerSecond), (long)Math.Round(u.End * FramesPerSecond)))
            .Where(f => f.Item2 > f.Item1)];

    /// <summary>
    /// Reads CTM lines ("u3 1 0.56 0.09 word 0.148": utterance, channel, start and length in the utterance, word,
    /// posterior) into words on the input's clock (<paramref name="utteranceStarts"/>: utterance i starts there);
    /// fillers (&lt;s&gt;, &lt;sil&gt;, [NOISE]) are skipped.
    /// </summary>
    public static IReadOnlyList<Word> ParseCtm(IEnumerable<string> lines, IReadOnlyList<double> utteranceStarts)
    {
        var words = new List<Word>();
        foreach (var line in lines)
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5 || parts[4].StartsWith('<') || parts[4].StartsWith('[')
                || !parts[0].StartsWith('u') || !int.TryParse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var utterance)
                || utterance >= utteranceStarts.Count
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
                || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var length))
            {
                continue;
            }

            var confidence = parts.Length > 5 && double.TryParse(parts[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var posterior) ? posterior : 0;
            // "read(2)" is the dictionary's second pronunciation of "read".
            var text = parts[4];
            var variant = text.IndexOf('(', StringComparison.Ordinal);
            var at = Math.Round(utteranceStarts[utterance] + start, 3);
            words.Add(new Word(variant > 0 ? text[..variant] : text, at, Math.Round(at + length, 3), Math.Clamp(confidence, 0, 1)));
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
