using System.Runtime.InteropServices;
using Media.Pipelines.Models;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;
using Microsoft.Extensions.Options;

namespace Media.Vision.Tests.Whisper;

/// <summary>
/// The whisper.cpp binding against the real library from npm. No whisper weights can be had here, so accuracy is not
/// tested; what is: the library loads, the struct layouts match the header (read back through the library's own
/// defaults), bad model files get clear errors, and a complete whisper_full run on a random-weights model.
/// </summary>
public sealed class WhisperBindingTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("whisper-tests-").FullName;

    public static string LibraryPathOrFail()
    {
        var path = Path.Combine(TestModel.RepoRoot(), ".models", WhisperRecognizer.LibraryFile);
        if (!File.Exists(path))
        {
            Assert.Fail($"whisper.cpp library missing at '{path}'. Run scripts/fetch-models.sh first.");
        }

        return path;
    }

    [Fact]
    public void Library_loads_and_reports_its_version()
    {
        var library = WhisperLibrary.Load(LibraryPathOrFail());

        Assert.Matches(@"^\d+\.\d+\.\d+", library.Version);
        Assert.Contains("CPU", library.SystemInfo, StringComparison.Ordinal);
        Assert.Same(library, WhisperLibrary.Load(LibraryPathOrFail()));
    }

    [Fact]
    public void Full_params_layout_matches_the_header()
    {
        var library = WhisperLibrary.Load(LibraryPathOrFail());
        var pointer = library.FullDefaultParamsByRef(0);
        WhisperFullParams byRef;
        try
        {
            byRef = Marshal.PtrToStructure<WhisperFullParams>(pointer);
        }
        finally
        {
            library.FreeParams(pointer);
        }

        // whisper_full_default_params(GREEDY): values spread from the first field to the last, so any shifted field shows.
        Assert.Equal(0, byRef.Strategy);
        Assert.Equal(16384, byRef.NMaxTextCtx);
        Assert.Equal((1, 1, 0), (byRef.NoContext, byRef.PrintProgress, byRef.TokenTimestamps));
        Assert.Equal(0.01f, byRef.TholdPt);
        Assert.Equal(0.01f, byRef.TholdPtsum);
        Assert.Equal("en", Marshal.PtrToStringUTF8(byRef.Language));
        Assert.Equal(1, byRef.SuppressBlank);
        Assert.Equal((0f, 1f, -1f), (byRef.Temperature, byRef.MaxInitialTs, byRef.LengthPenalty));
        Assert.Equal((0.2f, 2.4f, -1f, 0.6f), (byRef.TemperatureInc, byRef.EntropyThold, byRef.LogprobThold, byRef.NoSpeechThold));
        Assert.Equal(5, byRef.Greedy.BestOf);
        Assert.Equal((-1, -1f), (byRef.BeamSearch.BeamSize, byRef.BeamSearch.Patience));
        Assert.Equal(IntPtr.Zero, byRef.AbortCallback);
        Assert.Equal(100f, byRef.GrammarPenalty);
        Assert.Equal((0.5f, 250, 100, float.MaxValue, 30, 0.1f),
            (byRef.VadParams.Threshold, byRef.VadParams.MinSpeechDurationMs, byRef.VadParams.MinSilenceDurationMs,
             byRef.VadParams.MaxSpeechDurationS, byRef.VadParams.SpeechPadMs, byRef.VadParams.SamplesOverlap));

        // The by-value return (how the recognizer gets its parameters) carries the same bytes.
        var byValue = library.FullDefaultParams(0);
        Assert.Equal(byRef.NThreads, byValue.NThreads);
        Assert.Equal(byRef.VadParams, byValue.VadParams);
        Assert.Equal(byRef.GrammarPenalty, byValue.GrammarPenalty);
    }

    [Fact]
    public void Context_params_layout_matches_the_header()
    {
        var parameters = WhisperLibrary.Load(LibraryPathOrFail()).ContextDefaultParams();

        Assert.Equal((1, 1, 0), (parameters.UseGpu, parameters.FlashAttn, parameters.GpuDevice));
        Assert.Equal((0, 0, -1), (parameters.DtwTokenTimestamps, parameters.DtwAheadsPreset, parameters.DtwNTop));
        Assert.Equal((nuint)0, parameters.DtwAheads.NHeads);
        Assert.Equal((nuint)(128 * 1024 * 1024), parameters.DtwMemSize);
    }

    [Fact]
    public void A_missing_library_is_named()
    {
        var error = Assert.Throws<FileNotFoundException>(() => WhisperLibrary.Load(Path.Combine(_work, "nope.so")));
        Assert.Contains("nope.so", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_library_is_refused()
    {
        var path = Path.Combine(_work, "fake.so");
        File.WriteAllText(path, "not an ELF file");
        var error = Assert.Throws<InvalidDataException>(() => WhisperLibrary.Load(path));
        Assert.Contains("not a usable whisper.cpp library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_is_named_with_the_setting_to_change()
    {
        using var recognizer = Recognizer(Path.Combine(_work, "absent.bin"));
        var error = await Assert.ThrowsAsync<RecognizerUnavailableException>(() => Recognize(recognizer, 1));
        Assert.Contains("absent.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("Media:Speech:WhisperModel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_model_is_refused_with_whispers_reason()
    {
        var model = Path.Combine(_work, "garbage.bin");
        await File.WriteAllBytesAsync(model, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        using var recognizer = Recognizer(model);

        var error = await Assert.ThrowsAsync<RecognizerUnavailableException>(() => Recognize(recognizer, 1));
        Assert.Contains("garbage.bin is not a loadable whisper model", error.Message, StringComparison.Ordinal);
        Assert.Contains("magic", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_language_is_refused_naming_the_setting()
    {
        var model = Path.Combine(_work, "tiny.bin");
        TinyWhisperModel.Write(model);
        using var recognizer = Recognizer(model, language: "klingon");

        var error = await Assert.ThrowsAsync<RecognizerUnavailableException>(() => Recognize(recognizer, 1));
        Assert.Contains("Media:Speech:WhisperLanguage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_random_weights_model_runs_whisper_full_end_to_end()
    {
        var model = Path.Combine(_work, "tiny.bin");
        TinyWhisperModel.Write(model);
        using var recognizer = Recognizer(model);

        var (version, type) = recognizer.Describe();
        Assert.Equal(WhisperLibrary.Load(LibraryPathOrFail()).Version, version);
        Assert.Equal("unknown", type);

        // 40 s: two decoder windows, so the chunking and the time offsets of the second piece run too.
        var words = await Recognize(recognizer, 40);

        // Random weights decode to arbitrary vocabulary entries, but decode they must, and in time order.
        Assert.NotEmpty(words);
        Assert.Equal(words.OrderBy(w => w.Start).Select(w => w.Start), words.Select(w => w.Start));

        Assert.All(words, w =>
        {
            Assert.InRange(w.Start, 0, 40.01);
            Assert.InRange(w.End, w.Start, 40.01);
            Assert.InRange(w.Confidence, 0, 1);
            Assert.False(string.IsNullOrWhiteSpace(w.Text));
        });
        Assert.Equal("whisper.cpp", recognizer.Backend);
        Assert.Equal("tiny", recognizer.Model);
    }

    // Asserts a wall-clock bound: run apart from the parallel suite (scripts/test.sh runs the Timing trait alone).
    [Fact]
    [Trait("Category", "Timing")]
    public async Task Cancellation_stops_a_running_decode()
    {
        var model = Path.Combine(_work, "tiny.bin");
        TinyWhisperModel.Write(model);
        using var recognizer = Recognizer(model);
        var wav = Path.Combine(_work, "long.wav");
        TestWav.Write(wav, 300);
        recognizer.Describe();

        // Ten decoder windows take seconds; the abort callback must end it early with a cancellation, not a failure.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recognizer.RecognizeAsync(wav, null, _work, cancel.Token));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private WhisperRecognizer Recognizer(string model, string language = "en") => new(
        Options.Create(new SpeechOptions { Backend = "whisper", WhisperLibrary = LibraryPathOrFail(), WhisperModel = model, WhisperThreads = 2, WhisperLanguage = language }),
        Options.Create(new ModelOptions { Directory = _work }));

    private async Task<IReadOnlyList<Word>> Recognize(WhisperRecognizer recognizer, int seconds)
    {
        var wav = Path.Combine(_work, $"tone-{seconds}.wav");
        TestWav.Write(wav, seconds);
        return await recognizer.RecognizeAsync(wav, null, _work, CancellationToken.None);
    }
}
