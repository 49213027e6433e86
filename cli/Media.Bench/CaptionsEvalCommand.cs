using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Media.Cli.Commands;
using Media.Pipelines.Analysis;
using Media.Pipelines.Models;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Bench;

/// <summary>
/// `media captions-eval`: word error rate of the recogniser on the shared speech (mini-LibriSpeech + JFK) against
/// their exact transcripts, free and script-constrained; word start-time error against the GRID alignment;
/// real-time factor of recognition and of the VAD, and peak memory on a 10-minute input.
/// </summary>
internal static class CaptionsEvalCommand
{
    private const string Jfk = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("folder") { Description = "The shared media folder (default: found above the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var minutes = new Option<double>("--minutes") { Description = "Length of the long input for speed and memory", DefaultValueFactory = _ => 10 };
        var backend = new Option<string>("--backend") { Description = "pocketsphinx or whisper", DefaultValueFactory = _ => "pocketsphinx" };
        backend.AcceptOnlyFromAmong("pocketsphinx", "whisper");
        var whisperModel = new Option<FileInfo?>("--whisper-model") { Description = "ggml whisper model for --backend whisper (default: .models/whisper/ggml-base.en.bin)" };
        var command = new Command("captions-eval", "Word error rate, word timing error, real-time factor and memory of speech recognition and VAD") { folder, minutes, backend, whisperModel };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var media = parse.GetValue(folder) ?? SharedMedia.Folder() ?? throw new UsageException("No folder given and no shared media folder found.");
            var work = Directory.CreateTempSubdirectory("media-captions-eval-").FullName;
            try
            {
                var options = new SpeechOptions { Backend = parse.GetValue(backend)!, WhisperModel = parse.GetValue(whisperModel)?.FullName ?? string.Empty };
                await RunAsync(media.FullName, work, parse.GetValue(minutes), options, cancellationToken);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            return 0;
        });
        return command;
    }

    private static async Task RunAsync(string media, string work, double minutes, SpeechOptions options, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        using var whisper = options.Backend == "whisper" ? new WhisperRecognizer(Options.Create(options), Options.Create(new ModelOptions())) : null;
        IRecognizer recognizer = whisper ?? (IRecognizer)new PocketSphinxRecognizer(runner, Options.Create(options));
        var references = File.ReadLines(Path.Combine(media, "speech", "minilibrispeech_transcripts.trans.txt"))
            .Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var utterances = Directory.GetFiles(Path.Combine(media, "speech"), "*.flac").Order(StringComparer.Ordinal)
            .Select(f => (Path: f, Text: references.GetValueOrDefault(Path.GetFileNameWithoutExtension(f).Split('_')[^1]) ?? string.Empty))
            .Where(u => u.Text.Length > 0)
            .Append((Path.Combine(media, "speech", "jfk.wav"), Jfk))
            .ToList();

        Console.WriteLine($"# Word error rate, {recognizer.Backend} ({recognizer.Model}), {utterances.Count} utterances with exact transcripts");
        int words = 0;
        var confidences = new List<(double Mean, double Wer)>();
        double freeErrors = 0, alignedErrors = 0, audioSeconds = 0, recognitionSeconds = 0;
        foreach (var (path, text) in utterances)
        {
            var wav = await ToWavAsync(runner, path, work, cancellationToken);
            var reference = WordText.Split(text);
            var started = Stopwatch.GetTimestamp();
            var spoken = await UtterancesAsync(runner, wav, work, cancellationToken);
            var heard = await recognizer.RecognizeAsync(wav, spoken, null, work, _ => { }, cancellationToken);
            recognitionSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
            audioSeconds += await DurationAsync(runner, wav, cancellationToken);
            var constrained = await recognizer.RecognizeAsync(wav, spoken, text, work, _ => { }, cancellationToken);
            var aligned = ScriptAligner.Align(text, constrained, 0);
            var free = WordText.ErrorRate(reference, heard.Select(w => WordText.Normalize(w.Text)).ToList());
            var scripted = WordText.ErrorRate(reference, aligned.Select(w => WordText.Normalize(w.Text)).ToList());
            words += reference.Count;
            freeErrors += free * reference.Count;
            alignedErrors += scripted * reference.Count;
            // What the job reports as caption confidence (and warns on under Media:Speech:MinMeanConfidence), against the WER it stands for.
            var confidence = TranscriptConfidence.Of(new Transcript(recognizer.Backend, recognizer.Model, heard));
            confidences.Add((confidence.Mean, free));
            Console.WriteLine(Invariant($"  {Path.GetFileName(path),-60} {reference.Count,3} words  free WER {free:P1}  script-aligned WER {scripted:P1}  mean confidence {confidence.Mean:0.00}{(confidence.IsDoubtful(SpeechOptions.CaptionConfidenceFloor) ? " (warned)" : string.Empty)}"));
        }

        var warned = confidences.Where(c => c.Mean < SpeechOptions.CaptionConfidenceFloor).ToList();
        var trusted = confidences.Where(c => c.Mean >= SpeechOptions.CaptionConfidenceFloor).ToList();
        Console.WriteLine(Invariant($"caption confidence floor {SpeechOptions.CaptionConfidenceFloor:0.00}: {warned.Count} utterances warned (mean WER {(warned.Count > 0 ? warned.Average(c => c.Wer) : 0):P1}), {trusted.Count} not (mean WER {(trusted.Count > 0 ? trusted.Average(c => c.Wer) : 0):P1})"));

        Console.WriteLine(Invariant($"free recognition WER {freeErrors / words:P1} over {words} words; script-aligned captions WER {alignedErrors / words:P1} (the script's own words, so 0 unless a word was lost)"));
        Console.WriteLine(Invariant($"recognition real-time factor {recognitionSeconds / audioSeconds:0.000} ({recognitionSeconds:0.0} s for {audioSeconds:0.0} s of speech, one process, 2-core machine)"));

        await TimingAsync(runner, recognizer, media, work, cancellationToken);
        await FillersAsync(runner, recognizer, work, cancellationToken);
        await LongInputAsync(runner, recognizer, media, work, minutes, cancellationToken);
    }

    // GRID: word start times (units of 1/25000 s) against the recogniser's and the script aligner's.
    private static async Task TimingAsync(ToolRunner runner, IRecognizer recognizer, string media, string work, CancellationToken cancellationToken)
    {
        var truth = File.ReadLines(Path.Combine(media, "talking_head", "grid_id2_swwp2s.align"))
            .Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[2] != "sil")
            .Select(p => (Word: p[2], Start: double.Parse(p[0], CultureInfo.InvariantCulture) / 25000)).ToList();
        var wav = await ToWavAsync(runner, Path.Combine(media, "talking_head", "grid_id2_swwp2s.mpg"), work, cancellationToken);
        var script = string.Join(' ', truth.Select(t => t.Word));
        var aligned = ScriptAligner.Align(script, await recognizer.RecognizeAsync(wav, await UtterancesAsync(runner, wav, work, cancellationToken), script, work, _ => { }, cancellationToken), 3);
        var free = await recognizer.RecognizeAsync(wav, await UtterancesAsync(runner, wav, work, cancellationToken), null, work, _ => { }, cancellationToken);
        var alignedError = truth.Zip(aligned).Average(p => Math.Abs(p.First.Start - p.Second.Start));
        var matched = truth.Select(t => free.FirstOrDefault(w => WordText.Normalize(w.Text) == t.Word) is { } w ? Math.Abs(w.Start - t.Start) : (double?)null).Where(e => e is not null).Select(e => e!.Value).ToList();
        Console.WriteLine(Invariant($"# Word timing against the GRID alignment ({truth.Count} words): script-aligned mean |start error| {alignedError * 1000:0} ms; free recognition {(matched.Count == 0 ? "no word recognised correctly" : $"{matched.Average() * 1000:0} ms over the {matched.Count} words it got right")}"));
    }

    private static async Task LongInputAsync(ToolRunner runner, IRecognizer recognizer, string media, string work, double minutes, CancellationToken cancellationToken)
    {
        var seconds = minutes * 60;
        var wav = Path.Combine(work, "long.wav");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", Path.Combine(media, "speech", "jfk.wav"), "-t", Number(seconds), "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", wav], cancellationToken);
        var samples = Path.Combine(work, "long.f32");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", wav, "-f", "f32le", "-ar", "16000", "-ac", "1", samples], cancellationToken);

        using var vad = new SileroVad(Path.Combine(new ModelOptions().ResolveDirectory(), SileroVad.ModelFile));
        var before = Process.GetCurrentProcess().WorkingSet64;
        var started = Stopwatch.GetTimestamp();
        float[] probabilities;
        await using (var stream = File.OpenRead(samples))
        {
            probabilities = await vad.ProbabilitiesAsync(stream, cancellationToken);
        }

        var vadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var segments = new SpeechSegmenter().Segments(probabilities, SileroVad.WindowSeconds);

        var utterances = SpeechUtterances.Plan(probabilities, SileroVad.WindowSeconds, 0, toSourceEnd: true);
        started = Stopwatch.GetTimestamp();
        var words = await recognizer.RecognizeAsync(wav, utterances, null, work, _ => { }, cancellationToken);
        var recognitionSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(Invariant($"# {minutes:0.#}-minute input (jfk.wav looped): Silero VAD {vadSeconds:0.0} s = real-time factor {vadSeconds / seconds:0.0000}, {segments.Count} speech segments, this process's peak working set {peak / 1048576.0:0} MB (was {before / 1048576.0:0} MB before the VAD)"));
        Console.WriteLine(Invariant($"  {recognizer.Backend}: {recognitionSeconds:0.0} s = real-time factor {recognitionSeconds / seconds:0.000}, {words.Count} words, recogniser peak memory {ResourceUsage.PeakChildMegabytes():0} MB (largest child process, getrusage)"));
    }

    // Hesitations in speech made for the purpose: how many the recogniser reports as filler words (what jumpCuts fillers cut
    // without a script), and what it makes of the rest. With the script given, every filler is timed by alignment instead.
    private static async Task FillersAsync(ToolRunner runner, IRecognizer recognizer, string work, CancellationToken cancellationToken)
    {
        const string Said = "So um I think we should uh start the meeting now. Erm the first point is uh about the budget. Um we need more money.";
        var wav = Path.Combine(work, "fillers-espeak.22k");
        await runner.RunAsync("espeak-ng", ["-s", "150", "-w", wav, Said], cancellationToken);
        var spoken = await ToWavAsync(runner, wav, work, cancellationToken);
        var heard = await recognizer.RecognizeAsync(spoken, await UtterancesAsync(runner, spoken, work, cancellationToken), null, work, _ => { }, cancellationToken);
        var fillers = heard.Where(w => JumpCutsStep.DefaultFillers.Contains(WordText.Normalize(w.Text))).ToList();
        var said = WordText.Split(Said);
        var realWords = said.Where(w => !JumpCutsStep.DefaultFillers.Contains(w)).ToList();
        var kept = heard.Where(w => !JumpCutsStep.DefaultFillers.Contains(WordText.Normalize(w.Text))).Select(w => WordText.Normalize(w.Text)).ToList();
        Console.WriteLine(Invariant($"# Fillers (espeak-ng, {said.Count - realWords.Count} hesitations among {realWords.Count} words): {recognizer.Backend} reported {fillers.Count} filler words ({string.Join(", ", fillers.Select(f => $"'{f.Text}' {f.Start:0.00}s"))}); WER of the other words {WordText.ErrorRate(realWords, kept):P0} (what free recognition does to this voice, fillers aside)"));
    }

    private static async Task<string> ToWavAsync(ToolRunner runner, string path, string work, CancellationToken cancellationToken)
    {
        var wav = Path.Combine(work, Path.GetFileNameWithoutExtension(path) + ".wav");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", path, "-vn", "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", wav], cancellationToken);
        return wav;
    }

    // Where the farm's recogniser listens: the utterances of the voice activity (SpeechUtterances), as the analysis finds them.
    private static async Task<IReadOnlyList<TimeRange>> UtterancesAsync(ToolRunner runner, string wav, string work, CancellationToken cancellationToken)
    {
        var samples = Path.Combine(work, "utterances.f32");
        await runner.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", wav, "-f", "f32le", "-ar", "16000", "-ac", "1", samples], cancellationToken);
        float[] probabilities;
        await using (var stream = File.OpenRead(samples))
        {
            probabilities = await Vad.Value.ProbabilitiesAsync(stream, cancellationToken);
        }

        File.Delete(samples);
        return SpeechUtterances.Plan(probabilities, SileroVad.WindowSeconds, 0, toSourceEnd: true);
    }

    private static readonly Lazy<SileroVad> Vad = new(() => new SileroVad(Path.Combine(new ModelOptions().ResolveDirectory(), SileroVad.ModelFile)));

    private static async Task<double> DurationAsync(ToolRunner runner, string path, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path], cancellationToken, captureStdout: true);
        return double.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
