using System.Runtime.InteropServices;
using Media.Pipelines.Models;
using Microsoft.Extensions.Options;

namespace Media.Pipelines.Speech.Whisper;

/// <summary>
/// whisper.cpp through its C API. The model is loaded once, on first use, and shared; every recognition gets its own
/// decoder state (so jobs may run side by side) and streams the WAV in pieces of at most 30 s, so memory does not grow
/// with the length of the source. Word times come from whisper's token timestamps. A script, when given, is the
/// decoder's initial prompt: it steers spelling and vocabulary; the script aligner still decides the final words.
/// Cancellation reaches the running decoder through whisper's abort callback.
/// </summary>
public sealed class WhisperRecognizer : IRecognizer, IDisposable
{
    public const string LibraryFile = "whisper/libwhisper.so";
    public const string DefaultModelFile = "whisper/ggml-base.en.bin";
    private const int GreedyStrategy = 0;
    private const int MaxPromptCharacters = 800;

    private readonly SpeechOptions _options;
    private readonly string _libraryPath;
    private readonly string _modelPath;
    private readonly Lock _gate = new();
    private WhisperLibrary? _library;
    private IntPtr _context;
    private bool _disposed;

    /// <summary>The whisper.cpp library this configuration uses (Media:Speech:WhisperLibrary, else the models folder's).</summary>
    public static string LibraryPath(SpeechOptions options, string modelsDirectory) =>
        string.IsNullOrWhiteSpace(options.WhisperLibrary) ? Path.Combine(modelsDirectory, LibraryFile) : options.WhisperLibrary;

    public WhisperRecognizer(IOptions<SpeechOptions> options, IOptions<ModelOptions> models)
    {
        _options = options.Value;
        var directory = models.Value.ResolveDirectory();
        _libraryPath = LibraryPath(_options, directory);
        _modelPath = string.IsNullOrWhiteSpace(_options.WhisperModel) ? Path.Combine(directory, DefaultModelFile) : _options.WhisperModel;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte AbortCallback(IntPtr userData);

    public string Backend => "whisper.cpp";

    public string Model => Path.GetFileNameWithoutExtension(_modelPath);

    /// <summary>whisper.cpp's version and the model's size class ("tiny", "base", ... or "unknown"), loading both if needed.</summary>
    public (string Version, string ModelType) Describe()
    {
        var (library, context) = EnsureLoaded();
        return (library.Version, Marshal.PtrToStringUTF8(library.ModelTypeReadable(context)) ?? "unknown");
    }

    public Task<IReadOnlyList<Word>> RecognizeAsync(string wavPath, string? script, string workDirectory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (library, context) = EnsureLoaded();

        // Decoding is long, blocking native work: keep it off the caller's thread.
        return Task.Factory.StartNew(
            () => Recognize(library, context, wavPath, script, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_context != IntPtr.Zero)
            {
                _library!.Free(_context);
                _context = IntPtr.Zero;
            }

            _disposed = true;
        }
    }

    private (WhisperLibrary Library, IntPtr Context) EnsureLoaded()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_context != IntPtr.Zero)
            {
                return (_library!, _context);
            }

            WhisperLibrary library;
            try
            {
                library = WhisperLibrary.Load(_libraryPath);
            }
            catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
            {
                throw new RecognizerUnavailableException(ex.Message, ex);
            }

            if (_options.WhisperLanguage != "auto" && library.LanguageId(_options.WhisperLanguage) < 0)
            {
                throw new RecognizerUnavailableException($"Media:Speech:WhisperLanguage '{_options.WhisperLanguage}' is not a language whisper knows (use a code like \"en\", or \"auto\").");
            }

            if (!File.Exists(_modelPath))
            {
                throw new RecognizerUnavailableException(
                    $"The whisper model is missing at {_modelPath}. Put a ggml whisper model there (for example ggml-base.en.bin) or set Media:Speech:WhisperModel; no weights ship with the farm.");
            }

            var parameters = library.ContextDefaultParams();
            parameters.UseGpu = 0;
            WhisperLibrary.StartCollectingErrors();
            var context = library.InitFromFileNoState(_modelPath, parameters);
            var errors = WhisperLibrary.StopCollectingErrors();
            if (context == IntPtr.Zero)
            {
                throw new RecognizerUnavailableException($"{_modelPath} is not a loadable whisper model: {(errors.Length > 0 ? errors : "whisper.cpp refused it")}");
            }

            (_library, _context) = (library, context);
            return (library, context);
        }
    }

    private IReadOnlyList<Word> Recognize(WhisperLibrary library, IntPtr context, string wavPath, string? script, CancellationToken cancellationToken)
    {
        var state = library.InitState(context);
        if (state == IntPtr.Zero)
        {
            throw new InvalidOperationException("whisper.cpp could not allocate a decoder state (out of memory?).");
        }

        var language = Marshal.StringToCoTaskMemUTF8(_options.WhisperLanguage);
        var prompt = string.IsNullOrWhiteSpace(script) ? IntPtr.Zero : Marshal.StringToCoTaskMemUTF8(script.Length > MaxPromptCharacters ? script[..MaxPromptCharacters] : script);
        AbortCallback abort = _ => cancellationToken.IsCancellationRequested ? (byte)1 : (byte)0;
        try
        {
            var parameters = library.FullDefaultParams(GreedyStrategy);
            parameters.NThreads = _options.WhisperThreads > 0 ? _options.WhisperThreads : Math.Min(4, Environment.ProcessorCount);
            parameters.PrintProgress = 0;
            parameters.PrintTimestamps = 0;
            parameters.TokenTimestamps = 1;
            parameters.Language = language;
            parameters.DetectLanguage = 0;
            parameters.InitialPrompt = prompt;
            parameters.AbortCallback = Marshal.GetFunctionPointerForDelegate(abort);

            var eot = library.TokenEot(context);
            var words = new List<Word>();
            using var reader = PcmWavReader.Open(wavPath);
            var buffer = new float[AudioChunker.MaxSeconds * PcmWavReader.SampleRate];
            var filled = 0;
            double offset = 0;
            while (true)
            {
                var read = reader.Read(buffer.AsSpan(filled));
                filled += read;
                if (filled == 0)
                {
                    break;
                }

                var last = read == 0 || filled < buffer.Length;
                var length = last ? filled : AudioChunker.CutPoint(buffer);
                if (library.FullWithState(context, state, parameters, buffer, length) != 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException($"whisper.cpp failed on {wavPath} at {offset:0.##} s.");
                }

                words.AddRange(WhisperToken.ToWords(Tokens(library, context, state, eot, offset)));
                offset += (double)length / PcmWavReader.SampleRate;
                buffer.AsSpan(length, filled - length).CopyTo(buffer);
                filled -= length;
                if (last && filled == 0)
                {
                    break;
                }
            }

            return words;
        }
        finally
        {
            GC.KeepAlive(abort);
            Marshal.FreeCoTaskMem(language);
            Marshal.FreeCoTaskMem(prompt);
            library.FreeState(state);
        }
    }

    private static List<WhisperToken> Tokens(WhisperLibrary library, IntPtr context, IntPtr state, int eot, double offset)
    {
        var tokens = new List<WhisperToken>();
        for (var segment = 0; segment < library.SegmentCount(state); segment++)
        {
            for (var i = 0; i < library.TokenCount(state, segment); i++)
            {
                var data = library.TokenData(state, segment, i);

                // Ids from end-of-text up are control and timestamp tokens, not text.
                if (data.Id >= eot)
                {
                    continue;
                }

                var text = library.TokenText(context, state, segment, i);
                tokens.Add(new WhisperToken(Utf8Bytes(text), offset + (data.T0 / 100.0), offset + (data.T1 / 100.0), data.P));
            }
        }

        return tokens;
    }

    private static byte[] Utf8Bytes(IntPtr text)
    {
        if (text == IntPtr.Zero)
        {
            return [];
        }

        var length = 0;
        while (Marshal.ReadByte(text, length) != 0)
        {
            length++;
        }

        var bytes = new byte[length];
        Marshal.Copy(text, bytes, 0, length);
        return bytes;
    }
}
