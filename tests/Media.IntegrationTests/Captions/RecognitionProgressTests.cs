using System.Diagnostics;
using Media.Pipelines.Analysis;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests.Captions;

/// <summary>
/// Recognition says how far it is while it runs: pocketsphinx_batch's CTM is followed as it is written. A stand-in
/// for the tool writes the first utterance's words and then waits until the test has seen the progress they mean,
/// so the test waits for an event, never for a time.
/// </summary>
public sealed class RecognitionProgressTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("recognition-progress-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the stand-in is a shell script (the suite runs on Linux)
    public async Task PocketSphinx_ReportsTheUtterancesDoneAsTheirWordsAreWritten()
    {
        var recognizer = await RecognizerWithStandInAsync("""
            #!/bin/bash
            # Every option comes with a value.
            while [ $# -ge 2 ]; do case "$1" in -ctm) ctm="$2";; -logfn) log="$2";; esac; shift 2; done
            : > "$log"
            echo "u0 1 0.10 0.30 hello 0.900" >> "$ctm"
            for i in $(seq 1 1200); do [ -e "$ctm.seen" ] && break; sleep 0.05; done
            [ -e "$ctm.seen" ] || exit 3
            echo "u1 1 0.20 0.40 world 0.800" >> "$ctm"
            """);
        var wav = await SilenceAsync();
        var work = Directory.CreateDirectory(Path.Combine(_work, "stage")).FullName;
        var reported = new List<double>();

        var words = await recognizer.RecognizeAsync(wav, [new TimeRange(0.5, 1.5), new TimeRange(2, 3.5)], null, work, fraction =>
        {
            reported.Add(fraction);
            File.WriteAllText(Path.Combine(work, "words.ctm.seen"), "");
        }, CancellationToken.None);

        // u0 is 100 of the 250 frames; the run could only go on once that was reported.
        Assert.Equal(0.4, reported[0], 9);
        Assert.Equal(reported.Order(), reported);
        Assert.All(reported, f => Assert.InRange(f, 0.4, 1));
        Assert.Equal(1, reported[^1]);
        Assert.Equal([new Word("hello", 0.6, 0.9, 0.9), new Word("world", 2.2, 2.6, 0.8)], words);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PocketSphinx_AnUtteranceFailing_FailsTheRun_WithoutEverShowingItDone()
    {
        // pocketsphinx_batch exits 0 when an utterance fails, writing the one before's words under its id: only its log
        // says so. The stand-in writes every utterance's words, waits until the test has seen what they mean, then logs
        // the failure and exits.
        var recognizer = await RecognizerWithStandInAsync("""
            #!/bin/bash
            while [ $# -ge 2 ]; do case "$1" in -ctm) ctm="$2";; -logfn) log="$2";; esac; shift 2; done
            : > "$log"
            echo "u0 1 0.10 0.30 hello 0.900" >> "$ctm"
            echo "u1 1 0.20 0.40 hello 0.900" >> "$ctm"
            for i in $(seq 1 1200); do [ -e "$ctm.seen" ] && break; sleep 0.05; done
            [ -e "$ctm.seen" ] || exit 3
            echo "ERROR: \"acmod.c\", line 1: Failed to read audio for u1" >> "$log"
            """);
        var wav = await SilenceAsync();
        var work = Directory.CreateDirectory(Path.Combine(_work, "stage")).FullName;
        var reported = new List<double>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => recognizer.RecognizeAsync(
            wav, [new TimeRange(0.5, 1.5), new TimeRange(2, 3.5)], null, work, fraction =>
            {
                reported.Add(fraction);
                if (fraction >= PocketSphinxRecognizer.FollowedAtMost)
                {
                    File.WriteAllText(Path.Combine(work, "words.ctm.seen"), ""); // all the words seen (an earlier read may have seen u0 only)
                }
            }, CancellationToken.None));

        // Every utterance's words were written, and the run was still not said to be done.
        Assert.Contains("Failed to read audio for u1", failure.Message, StringComparison.Ordinal);
        Assert.Equal(PocketSphinxRecognizer.FollowedAtMost, reported[^1]);
        Assert.All(reported, f => Assert.True(f < 1, string.Join(", ", reported)));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private async Task<PocketSphinxRecognizer> RecognizerWithStandInAsync(string script)
    {
        var tool = Path.Combine(_work, "pocketsphinx_batch");
        await File.WriteAllTextAsync(tool, script.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(_work, "model", "en-us"));
        return new PocketSphinxRecognizer(
            new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System),
            Options.Create(new SpeechOptions { PocketSphinxTool = tool, PocketSphinxModel = Path.Combine(_work, "model") }));
    }

    private async Task<string> SilenceAsync()
    {
        var wav = Path.Combine(_work, "speech.wav");
        using var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "4", "-c:a", "pcm_s16le", wav])!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        return wav;
    }
}
