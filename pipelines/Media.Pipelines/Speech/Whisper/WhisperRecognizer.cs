using Media.Pipelines.Analysis;
using Media.Pipelines.Models;
using Microsoft.Extensions.Options;
using Whisper.net;
using Whisper.net.LibraryLoader;
using Whisper.net.Logger;

namespace Media.Pipelines.Speech.Whisper;

/// <summary>
/// whisper.cpp through Whisper.net. The model is loaded once, on first use, and shared; every recognition gets its own
/// processor (decoder state), so jobs may run side by side, and is fed the analysis' utterances one at a time (a longer
/// one in pieces of at most 30 s), so memory does not grow with the length of the source (Whisper.net's stream input
/// would read the whole file). Words and their
/// times are whisper.cpp's own word segmentation (split on words, one word per segment), so a character that BPE split
/// across tokens is whole. A script, when given, is the decoder's prompt: it steers spelling and vocabulary; the script
/// aligner still decides the final words. Cancellation reaches the running decoder through whisper's abort callback.
/// </summary>
public sealed class WhisperRecognizer : IRecognizer, IDisposable
{
    public const string DefaultModelFile = "whisper/ggml-base.en.bin";
    private const int MaxPromptCharacters = 800;

    private static readonly IDisposable LogHook;

    [ThreadStatic]
    private static List<string>? t_errors;

    private readonly SpeechOptions _options;
    private readonly string _modelPath;
    private readonly Lock _gate = new();
    private WhisperFactory? _factory;
    private bool _disposed;

    static WhisperRecognizer() => LogHook = LogProvider.AddLogger(OnLog);

    public WhisperRecognizer(IOptions<SpeechOptions> options, IOptions<ModelOptions> models)
    {
        _options = options.Value;
        var directory = models.Value.ResolveDirectory();
        _modelPath = string.IsNullOrWhiteSpace(_options.WhisperModel) ? Path.Combine(directory, DefaultModelFile) : _options.WhisperModel;
    }

    public string Backend => "whisper.cpp";

    public string Model => Path.GetFileNameWithoutExtension(_modelPath);

    /// <summary>
    /// Which whisper.cpp build Whisper.net loaded (Cuda from runtimes/cuda/linux-x64 where the GPU image puts it and a
    /// GPU answers, else the packaged Cpu build) and what it reports it can use ("WHISPER : … CPU : AVX2 = 1 …").
    /// Loads the library, not a model.
    /// </summary>
    public static (string Runtime, string SystemInfo) DescribeRuntime()
    {
        var info = WhisperFactory.GetRuntimeInfo();
        return (RuntimeOptions.LoadedLibrary?.ToString() ?? "unknown", info?.Trim() ?? string.Empty);
    }

    public async Task<IReadOnlyList<Word>> RecognizeAsync(string wavPath, IReadOnlyList<TimeRange> utterances, string? script, string workDirectory, Action<double> progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var factory = EnsureLoaded();
        var builder = factory.CreateBuilder()
            .WithThreads(_options.WhisperThreads > 0 ? _options.WhisperThreads : Math.Min(4, Environment.ProcessorCount))
            .WithTokenTimestamps()
            .SplitOnWord()
            .WithMaxSegmentLength(1)
            .WithProbabilities()
            .WithNoContext(); // each window heard on its own, not prompted by the text of the one before
        builder = _options.WhisperLanguage == "auto" ? builder.WithLanguageDetection() : builder.WithLanguage(_options.WhisperLanguage);
        if (!string.IsNullOrWhiteSpace(script))
        {
            builder = builder.WithPrompt(script.Length > MaxPromptCharacters ? script[..MaxPromptCharacters] : script);
        }

        // Disposed asynchronously: a synchronous Dispose while the decoder runs throws.
        await using var processor = WithWhisperErrors(builder.Build);
        var words = new List<Word>();
        using var reader = PcmWavReader.Open(wavPath);
        var buffer = new float[AudioChunker.MaxSeconds * PcmWavReader.SampleRate];
        // Consecutive utterances share a window while they fit in whisper's 30 s (its encoder always runs a whole window,
        // so one per short utterance would be many times slower); silence between windows is never decoded.
        var windows = Windows(utterances);
        var total = windows.Sum(w => w.Duration);
        var heard = 0.0;
        foreach (var window in windows)
        {
            var first = (long)Math.Round(window.Start * PcmWavReader.SampleRate);
            var remaining = (long)Math.Round(window.End * PcmWavReader.SampleRate) - first;
            reader.Seek(first);
            var filled = 0;
            double offset = (double)first / PcmWavReader.SampleRate;
            while (remaining > 0 || filled > 0)
            {
                var read = reader.Read(buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, remaining)));
                filled += read;
                remaining = read == 0 ? 0 : remaining - read;
                if (filled == 0)
                {
                    break;
                }

                var last = remaining == 0;
                if (!last && filled < buffer.Length)
                {
                    continue;
                }

                var length = last ? filled : AudioChunker.CutPoint(buffer);
                await foreach (var segment in processor.ProcessAsync(buffer.AsMemory(0, length), cancellationToken))
                {
                    if (ToWord(segment, offset) is { } word)
                    {
                        words.Add(word);
                    }
                }

                offset += (double)length / PcmWavReader.SampleRate;
                buffer.AsSpan(length, filled - length).CopyTo(buffer);
                filled -= length;
                // Each 30 s pass, so that a long utterance (several passes) moves too.
                heard += (double)length / PcmWavReader.SampleRate;
                progress(total > 0 ? Math.Min(1, heard / total) : 1);
            }
        }

        progress(1);

        return words;
    }

    /// <summary>Utterances in order, joined into spans of at most <see cref="AudioChunker.MaxSeconds"/> (a longer one alone).</summary>
    public static IReadOnlyList<TimeRange> Windows(IReadOnlyList<TimeRange> utterances)
    {
        var windows = new List<TimeRange>();
        foreach (var utterance in utterances.OrderBy(u => u.Start))
        {
            // Compared in whole 10 ms frames: a span of exactly 30 s must fit wherever its block lies in the file.
            if (windows.Count > 0 && Math.Round((utterance.End - windows[^1].Start) * 100) <= AudioChunker.MaxSeconds * 100)
            {
                windows[^1] = windows[^1] with { End = Math.Max(windows[^1].End, utterance.End) };
            }
            else
            {
                windows.Add(utterance);
            }
        }

        return windows;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _factory?.Dispose();
            _factory = null;
            _disposed = true;
        }
    }

    /// <summary>One word segment as a word on the source's timeline; a word's confidence is its least sure token.</summary>
    public static Word? ToWord(SegmentData segment, double offset)
    {
        var text = segment.Text.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var start = offset + segment.Start.TotalSeconds;
        return new Word(text, start, Math.Max(start, offset + segment.End.TotalSeconds), Math.Clamp(segment.MinProbability, 0, 1));
    }

    private WhisperFactory EnsureLoaded()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_factory is not null)
            {
                return _factory;
            }

            if (!File.Exists(_modelPath))
            {
                throw new RecognizerUnavailableException(
                    $"The whisper model is missing at {_modelPath}. Put a ggml whisper model there (for example ggml-base.en.bin) or set Media:Speech:WhisperModel; no weights ship with the farm.");
            }

            if (GgmlModelHeader.Problem(_modelPath) is { } problem)
            {
                throw new RecognizerUnavailableException($"{_modelPath} is not a usable whisper model (Media:Speech:WhisperModel): {problem}");
            }

            if (_options.WhisperLanguage != "auto" && !WhisperFactory.GetSupportedLanguages().Contains(_options.WhisperLanguage))
            {
                throw new RecognizerUnavailableException($"Media:Speech:WhisperLanguage '{_options.WhisperLanguage}' is not a language whisper knows (use a code like \"en\", or \"auto\").");
            }

            // The factory reads the model; a file whisper.cpp refuses surfaces when the first processor is built, so one
            // is built here, and the error carries whisper.cpp's own reason.
            _factory = WithWhisperErrors(() =>
            {
                var factory = WhisperFactory.FromPath(_modelPath);
                try
                {
                    factory.CreateBuilder().Build().Dispose();
                    return factory;
                }
                catch
                {
                    factory.Dispose();
                    throw;
                }
            });
            return _factory;
        }
    }

    /// <summary>
    /// Runs a step that may load the model (Whisper.net loads it lazily); a model whisper.cpp refuses becomes an error
    /// naming the file and whisper's own reason, which only its log carries.
    /// </summary>
    private T WithWhisperErrors<T>(Func<T> step)
    {
        var errors = new List<string>();
        t_errors = errors;

        try
        {
            return step();
        }
        catch (WhisperModelLoadException ex)
        {
            throw new RecognizerUnavailableException($"{_modelPath} is not a loadable whisper model: {(errors.Count > 0 ? string.Join("; ", errors) : ex.Message)}", ex);
        }
        finally
        {
            t_errors = null;
        }
    }

    // whisper.cpp reports load errors only to its log, on the loading thread, and Whisper.net installs its log hook when
    // the native library loads, so the hook is added once, before anything can load the library (the static
    // constructor), and a load collects what its own thread logged.
    private static void OnLog(WhisperLogLevel level, string? message)
    {
        if (level == WhisperLogLevel.Error && t_errors is { } errors && !string.IsNullOrWhiteSpace(message))
        {
            errors.Add(message.Trim());
        }
    }
}
