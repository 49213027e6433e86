using Media.Pipelines.Analysis;
using Media.Pipelines.Models;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;
using Media.Tests.Shared;
using Microsoft.Extensions.Options;

namespace Media.Vision.Tests.Whisper;

/// <summary>
/// The whisper backend on Whisper.net and its packaged whisper.cpp runtime. No whisper weights can be had here, so
/// accuracy is not tested; what is: the runtime loads and says what it is, bad model files get clear errors naming the
/// setting (an all-F32 model, which would abort the process inside whisper.cpp, is refused before loading), and a
/// complete recognition over two decoder windows runs on a random-weights F16 model.
/// </summary>
public sealed class WhisperBindingTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("whisper-tests-").FullName;

    [Fact]
    public void The_packaged_runtime_loads_and_says_what_it_is()
    {
        var (runtime, info) = WhisperRecognizer.DescribeRuntime();

        Assert.Equal("Cpu", runtime);
        Assert.Contains("CPU", info, StringComparison.Ordinal);
        Assert.DoesNotContain("CUDA", info, StringComparison.Ordinal);
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
        Assert.True(error.Message.Contains("bad magic", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task An_all_F32_model_is_refused_before_whisper_cpp_can_abort_the_process()
    {
        var model = Path.Combine(_work, "f32.bin");
        TinyWhisperModel.Write(model, allF32: true);
        using var recognizer = Recognizer(model);

        var error = await Assert.ThrowsAsync<RecognizerUnavailableException>(() => Recognize(recognizer, 1));
        Assert.Contains("f32.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("F32", error.Message, StringComparison.Ordinal);
        Assert.Contains("Media:Speech:WhisperModel", error.Message, StringComparison.Ordinal);
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
    public async Task A_random_weights_model_runs_end_to_end_over_two_decoder_windows()
    {
        var model = Path.Combine(_work, "tiny.bin");
        TinyWhisperModel.Write(model);
        using var recognizer = Recognizer(model);

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
        await Recognize(recognizer, 1);
        var wav = Path.Combine(_work, "long.wav");
        TestWav.Write(wav, 300);

        // Ten decoder windows take seconds; the abort callback must end it early with a cancellation, not a failure.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recognizer.RecognizeAsync(wav, [new TimeRange(0, 300)], null, _work, _ => { }, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"stopped after {watch.Elapsed.TotalSeconds:0.00} s");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private WhisperRecognizer Recognizer(string model, string language = "en") => new(
        Options.Create(new SpeechOptions { Backend = "whisper", WhisperModel = model, WhisperThreads = 2, WhisperLanguage = language }),
        Options.Create(new ModelOptions { Directory = _work }));

    private async Task<IReadOnlyList<Word>> Recognize(WhisperRecognizer recognizer, int seconds)
    {
        var wav = Path.Combine(_work, $"tone-{seconds}.wav");
        TestWav.Write(wav, seconds);
        return await recognizer.RecognizeAsync(wav, [new TimeRange(0, seconds)], null, _work, _ => { }, CancellationToken.None);
    }
}
