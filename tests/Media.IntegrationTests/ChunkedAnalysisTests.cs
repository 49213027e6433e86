using System.Globalization;
using Media.Client;
using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Media.IntegrationTests;

/// <summary>
/// A long source's analysis split into chunks and merged gives what one pass gives: the same loudness (within 0.1 LU),
/// speech segments, face samples, scene cuts and words, with speech and a word said across a chunk edge.
/// </summary>
public sealed class ChunkedAnalysisTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const AnalysisNeeds Everything = AnalysisNeeds.Loudness | AnalysisNeeds.Speech | AnalysisNeeds.Words | AnalysisNeeds.Faces;

    private readonly string _folder = Directory.CreateTempSubdirectory("chunked-").FullName;
    private ServiceProvider _services = null!;
    private string _source = null!;

    public async Task InitializeAsync()
    {
        _services = TestPipelines.Services();
        _source = Path.Combine(_folder, "long.mp4");
        await MakeSourceAsync(_source, _folder);
    }

    [Fact]
    public async Task ChunksMerged_MatchOnePass()
    {
        var analyzer = _services.GetRequiredService<SourceAnalyzer>();
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);
        // With the filmed script, as a studio captions: recognition constrained by it, aligned over the whole source.
        var whole = await analyzer.AnalyzeAsync(_source, probe, Everything, Work("whole"), _ => { }, CancellationToken.None, Script);

        var ranges = AnalysisChunks.Ranges(probe.DurationSeconds, 16, 12);
        var (merged, parts) = await AnalysisInParts.AnalyzeAsync(analyzer, _source, probe, Everything, ranges, i => Work("part" + i), Script);

        Assert.Equal(4, ranges.Count);
        Assert.Equal(whole.Loudness!.IntegratedLufs, merged.Loudness!.IntegratedLufs, 0.1);
        Assert.Equal(whole.Loudness.Momentary.Count, merged.Loudness.Momentary.Count);
        // Below the absolute gate (-70 LUFS) is silence however it is written (digital zero prints -inf, AAC's noise floor -155).
        var loudest = whole.Loudness.Momentary.Zip(merged.Loudness.Momentary, (a, b) => Math.Abs(Math.Max(a, -70) - Math.Max(b, -70))).Max();

        Assert.True(loudest <= 0.1, $"momentary loudness differs by up to {loudest:0.###} LU");

        // The voice activity is computed by blocks on the source's clock, one pass and chunks alike: the same segments.
        Assert.Equal(whole.Speech!.Segments, merged.Speech!.Segments);
        // One phrase is said across the edge at 12 s: a single segment spans it, in both.
        Assert.Contains(merged.Speech.Segments, s => s.Start < 11.5 && s.End > 12.5);

        Assert.Equal(whole.Faces!.Samples.Select(s => s.TimeSeconds), merged.Faces!.Samples.Select(s => s.TimeSeconds));
        Assert.Equal(whole.Visual!.FaceCounts, merged.Visual!.FaceCounts);
        Assert.Equal(whole.Visual.Motion.Count, merged.Visual.Motion.Count);
        var motion = whole.Visual.Motion.Zip(merged.Visual.Motion, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(motion < 0.5, $"motion differs by up to {motion}");
        Assert.Equal(whole.SceneCuts, merged.SceneCuts);
        Assert.Equal([11.0, 22.0, 33.0], merged.SceneCuts!.Select(c => Math.Round(c)));

        // The script's words, each once, in order, timed as one pass times them.
        Assert.True(merged.Transcript!.ScriptAligned);
        Assert.Equal(Texts(whole.Transcript!), Texts(merged.Transcript));
        var offsets = whole.Transcript!.Words.Zip(merged.Transcript.Words, (a, b) => Math.Abs(a.Start - b.Start)).Order().ToList();
        output.WriteLine($"words: {merged.Transcript.Words.Count}, start times apart: median {offsets[offsets.Count / 2]:0.###} s, max {offsets[^1]:0.###} s; integrated {whole.Loudness.IntegratedLufs} vs {merged.Loudness.IntegratedLufs} LUFS; momentary up to {loudest:0.###} LU apart");
        Assert.True(offsets[(int)(offsets.Count * 0.9)] <= 0.1, $"90% of the words should start within 0.1 s of one pass's; the 90th percentile is {offsets[(int)(offsets.Count * 0.9)]:0.###} s");
        Assert.All(merged.Transcript.Words.Zip(merged.Transcript.Words.Skip(1)), p => Assert.True(p.Second.Start >= p.First.Start));
    }

    [Fact]
    public async Task Chunk_Progress_MovesWithTheSoundAndThePictures_EndsAtOne()
    {
        var analyzer = _services.GetRequiredService<SourceAnalyzer>();
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);
        var reported = new List<double>();

        await analyzer.AnalyzePartAsync(_source, probe, Everything, new TimeRange(16, 32), Work("progress"), f =>
        {
            lock (reported)
            {
                reported.Add(f);
            }
        }, CancellationToken.None);

        // Loudness, voice activity, the recogniser's sound and recognition each move it, and the face samples as read:
        // whatever the order the two sides ran in, every report is a step forward, and the last is the whole part.
        Assert.True(reported.Count >= 5, $"{reported.Count} reports: {string.Join(", ", reported)}");
        Assert.All(reported.Zip(reported.Skip(1)), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second}"));
        Assert.Equal(1, reported[^1], 9);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the stand-in is a shell script (the suite runs on Linux)
    public async Task Chunk_FacesOnly_TheDecodeMovesTheBar_ThenTheSamples()
    {
        // A stand-in ffmpeg reports half the decode, waits until the test has seen what that means (an event, not a
        // time), then runs the real one with the same arguments.
        var work = Work("decode-progress");
        var seen = Path.Combine(work, "half.seen");
        var tool = Path.Combine(work, "ffmpeg");
        await File.WriteAllTextAsync(tool, $$"""
            #!/bin/bash
            printf 'out_time_us=12000000\nprogress=continue\n'
            for i in $(seq 1 1200); do [ -e '{{seen}}' ] && break; sleep 0.05; done
            [ -e '{{seen}}' ] || exit 3
            exec ffmpeg "$@"
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var analyzer = new SourceAnalyzer(
            _services.GetRequiredService<ToolRunner>(),
            Microsoft.Extensions.Options.Options.Create(new ToolPaths { FFmpeg = tool }),
            Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Models.ModelOptions { Directory = Path.Combine(RepositoryPaths.Root(), ".models") }),
            _services.GetRequiredService<Media.Pipelines.Faces.IFaceDetector>(),
            _services.GetRequiredService<IRecognizer>());
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);
        var reported = new List<double>();

        await analyzer.AnalyzePartAsync(_source, probe, AnalysisNeeds.Faces, new TimeRange(16, 32), Work("decode-progress-stage"), f =>
        {
            reported.Add(f);
            if (Math.Abs(f - 0.35) < 1e-9)
            {
                File.WriteAllText(seen, "");
            }
        }, CancellationToken.None);

        // 12 s of the 24 s decode (from 8 s of lead before the range to its end) is half the decode's 70% of the
        // pictures; the decode ends at 70%, the samples take the rest.
        Assert.Equal(0.35, reported[0], 9);
        Assert.Contains(reported, f => Math.Abs(f - 0.7) < 1e-9);
        Assert.Contains(reported, f => f > 0.7 + 1e-9 && f < 1);
        Assert.Equal(reported.Order(), reported);
        Assert.Equal(1, reported[^1], 9);
    }

    [Fact]
    public async Task Chunk_OneSideFails_ThePartFailsWithItsReason_NotACancellation()
    {
        // Without the face model the pictures side fails at once; the sound side is stopped, and the error says why.
        var analyzer = new SourceAnalyzer(
            _services.GetRequiredService<ToolRunner>(),
            Microsoft.Extensions.Options.Options.Create(new ToolPaths()),
            Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Models.ModelOptions { Directory = Path.Combine(RepositoryPaths.Root(), ".models") }),
            new Media.Pipelines.Faces.NoFaceDetector(),
            _services.GetRequiredService<IRecognizer>());
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            analyzer.AnalyzePartAsync(_source, probe, Everything, new TimeRange(16, 32), Work("no-faces"), _ => { }, CancellationToken.None));

        Assert.Contains("BlazeFace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunksMerged_FreeRecognition_SameWordsAsOnePass()
    {
        // No script: every utterance is recognised on its own, in the same samples, so a chunk hears exactly what one pass
        // hears, the phrase said across the edge at 12 s included (the chunk it starts in reads past its end).
        const AnalysisNeeds needs = AnalysisNeeds.Speech | AnalysisNeeds.Words;
        var analyzer = _services.GetRequiredService<SourceAnalyzer>();
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);
        var whole = await analyzer.AnalyzeAsync(_source, probe, needs, Work("free-whole"), _ => { }, CancellationToken.None);
        var (merged, parts) = await AnalysisInParts.AnalyzeAsync(analyzer, _source, probe, needs, AnalysisChunks.Ranges(probe.DurationSeconds, 16, 12), i => Work("free-part" + i));
        output.WriteLine(string.Join(' ', Texts(whole.Transcript!)));
        Assert.False(merged.Transcript!.ScriptAligned);
        Assert.True(whole.Transcript!.Words.Count >= 20, $"{whole.Transcript.Words.Count} words heard");
        // Word for word, to the millisecond and the posterior: the recogniser hears each utterance in the same samples
        // (UtteranceSound), though the chunks' own decodes seeked and so differ from one pass's where AAC codes noise.
        Assert.Equal(whole.Transcript.Words, merged.Transcript.Words);
        // The phrase across the edge was heard by the chunk it starts in, once.
        Assert.Contains(merged.Transcript.Words, w => w.Start > 10.4 && w.Start < 12 && parts[0].Words!.Contains(w));
        Assert.Contains(merged.Transcript.Words, w => w.Start > 12 && w.Start < 14 && parts[0].Words!.Contains(w));
    }

    [Fact]
    public async Task LoopedPastBlockEdges_ChunksMerged_SameWordsAsOnePass_ThoughTheirOwnDecodesDiffer()
    {
        // The source's sound looped to 130 s (stream copy: the AAC as ffmpeg's encoder wrote it, noise substitution and
        // all), past two edges of the recogniser's 60 s blocks; chunks of 40 s, whose edges fall inside blocks.
        var looped = Path.Combine(_folder, "looped.m4a");
        var loop = await TestMedia.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "2", "-i", _source, "-vn", "-c", "copy", "-t", "130", looped]);
        Assert.True(loop.ExitCode == 0, loop.Stderr);
        const AnalysisNeeds needs = AnalysisNeeds.Speech | AnalysisNeeds.Words;
        var analyzer = _services.GetRequiredService<SourceAnalyzer>();
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(looped, CancellationToken.None);
        var whole = await analyzer.AnalyzeAsync(looped, probe, needs, Work("looped-whole"), _ => { }, CancellationToken.None);
        var ranges = AnalysisChunks.Ranges(probe.DurationSeconds, 16, 40);
        var (merged, _) = await AnalysisInParts.AnalyzeAsync(analyzer, looped, probe, needs, ranges, i => Work("looped-part" + i));

        Assert.Equal([40.0, 80.0], ranges.Skip(1).Select(r => r.Start));
        Assert.True(whole.Transcript!.Words.Count >= 60, $"{whole.Transcript.Words.Count} words heard");
        Assert.Contains(whole.Transcript.Words, w => w.Start > 120);
        // Word for word, to the millisecond and the posterior, in every block.
        Assert.Equal(whole.Transcript.Words, merged.Transcript!.Words);

        // What the blocks avoid: the third phrase's second time (67-71 s) decoded as its block decodes it, and after
        // another seek (as the second chunk's own decode, from 32 s): not the same samples.
        var runner = _services.GetRequiredService<ToolRunner>();
        var blocks = UtteranceSound.Blocks([new TimeRange(67, 71)]);
        var layout = await UtteranceSound.DecodeAsync(runner, "ffmpeg", looped, blocks, Path.Combine(_folder, "block.wav"), CancellationToken.None);
        var inBlock = Samples(Path.Combine(_folder, "block.wav"), layout.Starts[0] + (67 - 59), 4);
        var seeked = Path.Combine(_folder, "seeked.raw");
        await runner.RunAsync("ffmpeg", AnalysisCommands.UtteranceBlock(looped, new DecodeWindow(32, 80), seeked).ToArguments(), CancellationToken.None);
        var afterSeek = File.ReadAllBytes(seeked).Chunk(2).Select(b => BitConverter.ToInt16(b) / 32768f).Skip((67 - 32) * UtteranceSound.SampleRate).Take(4 * UtteranceSound.SampleRate).ToArray();
        Assert.Contains(inBlock, v => Math.Abs(v) > 0.05f);
        Assert.NotEqual(inBlock, afterSeek);
        output.WriteLine($"after another seek {inBlock.Zip(afterSeek).Count(p => p.First != p.Second)} of {inBlock.Length} samples differ, by up to {inBlock.Zip(afterSeek).Max(p => Math.Abs(p.First - p.Second)):0.0000}");
    }

    private static float[] Samples(string wav, int fromSecond, int seconds)
    {
        using var reader = PcmWavReader.Open(wav);
        reader.Seek((long)fromSecond * UtteranceSound.SampleRate);
        var samples = new float[seconds * UtteranceSound.SampleRate];
        var read = reader.Read(samples);
        return samples[..read];
    }

    [Fact]
    public async Task Farm_LongSource_AnalysedInChunksByAnyWorker_AndRendered()
    {
        await using var farm = new InProcessFarm(new Dictionary<string, string?>
        {
            ["Media:JobApi:AnalysisChunkAfterSeconds"] = "16",
            ["Media:JobApi:AnalysisChunkSeconds"] = "12",
            // Free recognition is never this sure: the job must carry the warning (and still succeed).
            ["Media:Speech:MinMeanConfidence"] = "1",
        });
        await farm.InitializeAsync();
        var upload = await farm.Client.UploadFileAsync(_source, null, CancellationToken.None);
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = """
                apiVersion: media.farm/v1
                name: long-talk
                outputs: [{ name: vertical, preset: tiktok }]
                steps:
                  - jumpCuts: { minSilence: 0.6 }
                  - reframe: {}
                  - captions: { style: minimal }
                  - loudness: { target: -16 }
                """,
        };

        var job = await farm.Client.Jobs.SubmitJobAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);
        }
        catch (Exception ex) when (timeout.IsCancellationRequested)
        {
            job = await farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
            throw new TimeoutException($"The job did not finish: {string.Join("; ", job.Stages.Select(s => $"{s.Id} {s.State} {s.Progress:0.##} {s.Error}"))}", ex);
        }

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var chunks = job.Stages.Where(s => s.Kind == StageKind.AnalyzeChunk).OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([0.0, 12, 24, 36], chunks.Select(c => c.RangeStartSeconds));
        Assert.Equal(44.0, chunks[^1].RangeEndSeconds, 0.1);
        var merge = job.Stages.Single(s => s.Kind == StageKind.Analyze);
        Assert.All(chunks, c => Assert.True(c.FinishedAt.ToDateTimeOffset() <= merge.StartedAt.ToDateTimeOffset()));
        // The merged analysis is what the job stores; its words are captioned in the render.
        Assert.Contains(job.Outputs, o => o.Name == "vertical.srt");
        // No script: the captions are what the recogniser heard, and the job says how sure it was.
        Assert.True(job.CaptionConfidence.Words > 10, $"{job.CaptionConfidence}");
        Assert.InRange(job.CaptionConfidence.Mean, 0.01, 0.999);
        Assert.Equal(("pocketsphinx", false, 0.3), (job.CaptionConfidence.Recognizer, job.CaptionConfidence.ScriptAligned, job.CaptionConfidence.LowThreshold));
        Assert.Contains("pass the filmed script", Assert.Single(job.Warnings, w => w.Code == "low_caption_confidence").Message, StringComparison.Ordinal);
        Assert.DoesNotContain(job.Outputs, o => o.Name.Contains("part", StringComparison.Ordinal));
    }

    public Task DisposeAsync()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private static string Script => string.Join(' ', Phrases.Select(p => p.Text));

    private static List<string> Texts(Transcript transcript) => [.. transcript.Words.Select(w => WordText.Normalize(w.Text))];

    private string Work(string name) => Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;

    private static readonly (double At, string Text)[] Phrases =
    [
        (1, "Welcome to the farm. Today we make short videos."),
        (10.5, "This sentence is spoken across the edge of a chunk."),
        (23, "Every worker takes a part of the source."),
        (30, "Thanks for watching, and see you next time."),
    ];

    // 44 s: four 11 s shots of different test pictures (hard cuts at 11, 22, 33 s) and four spoken phrases, one of them
    // across the chunk edge at 12 s.
    private static async Task MakeSourceAsync(string path, string folder)
    {
        var phrases = Phrases;
        var inputs = new List<string>();
        var delays = new List<string>();
        for (var i = 0; i < phrases.Length; i++)
        {
            var wav = Path.Combine(folder, $"phrase{i}.wav");
            var spoken = await TestMedia.RunAsync("espeak-ng", ["-s", "160", "-w", wav, phrases[i].Text]);
            Assert.True(spoken.ExitCode == 0, $"espeak-ng failed (scripts/setup.sh installs it): {spoken.Stderr}");
            inputs.AddRange(["-i", wav]);
            delays.Add(string.Create(CultureInfo.InvariantCulture, $"[{i}:a]aresample=48000,adelay={phrases[i].At * 1000}:all=1[a{i}]"));
        }

        string[] shots = ["testsrc2", "smptebars", "rgbtestsrc", "testsrc"];
        var video = string.Join(';', shots.Select((s, i) => $"{s}=size=640x360:rate=25:duration=11[v{i}]"));
        var graph = string.Join(';', delays) + ";" + string.Concat(phrases.Select((_, i) => $"[a{i}]")) + $"amix=inputs={phrases.Length}:normalize=0,apad=whole_dur=44[a];"
            + video + ";" + string.Concat(shots.Select((_, i) => $"[v{i}]")) + $"concat=n={shots.Length}:v=1:a=0[v]";
        await TestMedia.FFmpegAsync([.. inputs, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "44", path]);
    }
}
