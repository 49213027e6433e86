using Grpc.Core;
using System.Text.Json;
using Media.Protos.V1;
using Media.Pipelines.Faces;

namespace Media.IntegrationTests;

/// <summary>
/// Pattern steps rendered for real by the embedded farm (analysis stage, then one ffmpeg per output) on a clip
/// with synthetic speech: cuts land on the pause, loudness hits the target, picture and sound stay aligned,
/// hostile text renders literally, a compliant source is stream-copied.
/// </summary>
public sealed class PatternEngineTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pattern-engine-").FullName;
    private readonly InProcessFarm _farm = new();
    private string _speech = null!;
    private (double FirstEnd, double SecondStart, double Duration) _phrases;

    public async Task InitializeAsync()
    {
        _speech = Path.Combine(_folder, "speech.mp4");
        _phrases = await TestMedia.MakeSpeechClipAsync(_speech);
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TalkingHeadSteps_CutThePauseHitLoudnessKeepSyncAndDrawTextLiterally()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: talk
            outputs: [{ name: vertical, preset: tiktok }]
            steps:
              - jumpCuts: { minSilence: 0.5, padding: 0.1 }
              - punchIn: { at: cuts, zoom: 1.2 }
              - text: { text: "{{title}}", end: 2, position: top }
              - loudness: { target: -14, truePeak: -1.5 }
            """;
        const string hostile = "50% off: {\\b1}'quoted'\\ %{pts} [x];\nline two";

        var (job, files) = await RunAsync(pattern, new Dictionary<string, string> { ["title"] = hostile });

        var analysis = JsonDocument.Parse(await File.ReadAllBytesAsync(files.Single(f => f.EndsWith("analysis.json", StringComparison.Ordinal)))).RootElement;
        var speech = analysis.GetProperty("speech").GetProperty("segments").EnumerateArray().Select(s => (Start: s.GetProperty("start").GetDouble(), End: s.GetProperty("end").GetDouble())).ToList();
        Assert.Equal("silero-vad-v5", analysis.GetProperty("speech").GetProperty("model").GetString());
        Assert.True(speech.Count >= 2, $"speech segments: {string.Join(", ", speech)}");
        Assert.All(speech, s => Assert.False(s.Start > _phrases.FirstEnd + 0.3 && s.End < _phrases.SecondStart - 0.3, $"speech found inside the pause: {s}"));

        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        var probe = await TestMedia.ProbeAsync(video);
        Assert.Equal((1080, 1920, "h264", "aac"), (probe.Width, probe.Height, probe.VideoCodec, probe.AudioCodec));
        // Every word stays; the 2.5 s pause (and the quiet at both ends) goes, down to the padding.
        var spoken = speech.Sum(s => s.End - s.Start);
        Assert.InRange(probe.DurationSeconds, spoken, _phrases.Duration - 2.0);
        var (v, a) = await TestMedia.StreamDurationsAsync(video);
        Assert.True(Math.Abs(v - a) <= 1 / 30.0 + 0.001, $"video {v} s vs audio {a} s");
        Assert.InRange(await TestMedia.LoudnessAsync(video), -15, -13);
        Assert.Equal(JobState.Succeeded, job.State);
    }

    [Fact]
    public async Task JumpCutsWithSpeedUp_PausesPlayFastAndStayInSync()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: fast-pauses
            outputs: [{ name: o, preset: youtube }]
            steps:
              - jumpCuts: { minSilence: 0.5, padding: 0.1, speedUp: 4 }
            """;

        var (_, files) = await RunAsync(pattern);

        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        var (v, a) = await TestMedia.StreamDurationsAsync(video);
        Assert.True(Math.Abs(v - a) <= 1 / 30.0 + 0.001, $"video {v} s vs audio {a} s");
        // The 2.5 s pause plays in about 0.6 s; the ends are cut.
        Assert.InRange(a, _phrases.Duration - 3.2, _phrases.Duration - 1.6);
    }

    [Fact]
    public async Task Captions_RecognisedAndScriptAligned_BurnedInWithSidecarFiles()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: captioned
            outputs: [{ name: o, preset: youtube }]
            steps:
              - captions: { style: karaoke }
            """;
        const string script = "Welcome to the farm. Today we make short videos. Thanks for watching, and see you next time.";

        var (free, freeFiles) = await RunAsync(pattern);
        var (aligned, alignedFiles) = await RunAsync(pattern, new Dictionary<string, string> { ["script"] = script });

        Assert.Equal(["o.ass", "o.mp4", "o.plan.json", "o.srt", "o.vtt", "o.words.json"], free.Outputs.Where(o => o.Name.StartsWith("o.", StringComparison.Ordinal)).Select(o => o.Name).Order(StringComparer.Ordinal));
        Assert.All(free.Outputs.Where(o => o.Name is not ("o.mp4" or "o.plan.json") && o.Name.StartsWith("o.", StringComparison.Ordinal)), o => Assert.Equal(OutputKind.Captions, o.Kind));
        var freeWords = JsonDocument.Parse(await File.ReadAllBytesAsync(freeFiles.Single(f => f.EndsWith("o.words.json", StringComparison.Ordinal)))).RootElement;
        Assert.Equal("pocketsphinx", freeWords.GetProperty("backend").GetString());
        Assert.True(freeWords.GetProperty("words").GetArrayLength() >= 5, "pocketsphinx heard some words");

        var alignedWords = JsonDocument.Parse(await File.ReadAllBytesAsync(alignedFiles.Single(f => f.EndsWith("o.words.json", StringComparison.Ordinal)))).RootElement;
        Assert.True(alignedWords.GetProperty("scriptAligned").GetBoolean());
        var texts = alignedWords.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("text").GetString()!).ToList();
        Assert.Equal(Media.Pipelines.Speech.WordText.Split(script), texts.Select(Media.Pipelines.Speech.WordText.Normalize));
        var starts = alignedWords.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("start").GetDouble()).ToList();
        Assert.Equal(starts.Order(), starts);
        // "Thanks" is said after the 2.5 s pause.
        var thanks = starts[texts.IndexOf("Thanks")];
        Assert.InRange(thanks, _phrases.SecondStart - 0.6, _phrases.SecondStart + 0.6);
        var srt = await File.ReadAllTextAsync(alignedFiles.Single(f => f.EndsWith("o.srt", StringComparison.Ordinal)));
        Assert.Contains("Welcome to the", srt, StringComparison.Ordinal);
        Assert.Equal(JobState.Succeeded, aligned.State);

        // Publishing suggestions come from the same words (the script's, when aligned).
        Assert.Equal(OutputKind.Metadata, aligned.Outputs.Single(o => o.Name == "publish.json").Kind);
        var publish = Media.Pipelines.Publishing.PublishSuggestions.FromJson(await File.ReadAllBytesAsync(alignedFiles.Single(f => f.EndsWith("publish.json", StringComparison.Ordinal))))!;
        Assert.Equal("script", publish.Source);
        Assert.Contains(publish.Title, script, StringComparison.Ordinal);
        Assert.Contains("#farm", publish.Hashtags);
        Assert.Contains(free.Outputs, o => o.Name == "publish.json");
    }

    [Fact]
    public async Task Captions_SpeechButNoWords_StopsTheJobInsteadOfPublishingWithoutCaptions()
    {
        var runner = new Media.Pipelines.Tools.ToolRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger<Media.Pipelines.Tools.ToolRunner>.Instance, TimeProvider.System);
        var analyzer = new Media.Pipelines.Analysis.SourceAnalyzer(
            runner,
            Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Tools.ToolPaths()),
            Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Models.ModelOptions()),
            new Media.Pipelines.Faces.NoFaceDetector(),
            new DeafRecognizer());
        var probe = await new Media.Pipelines.Probe.MediaProber(runner, Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Tools.ToolPaths()), Microsoft.Extensions.Options.Options.Create(new Media.Pipelines.Probe.MediaLimits())).ProbeAsync(_speech, CancellationToken.None);
        var work = Directory.CreateTempSubdirectory("deaf-").FullName;

        var ex = await Assert.ThrowsAsync<Media.Pipelines.Captions.CaptionsUnavailableException>(() => analyzer.AnalyzeAsync(
            _speech, probe, Media.Pipelines.Patterns.Steps.AnalysisNeeds.Speech | Media.Pipelines.Patterns.Steps.AnalysisNeeds.Words, work, _ => { }, CancellationToken.None));

        Assert.StartsWith("People speak for", ex.Message, StringComparison.Ordinal);
        Directory.Delete(work, recursive: true);
    }

    private sealed class DeafRecognizer : Media.Pipelines.Speech.IRecognizer
    {
        public string Backend => "deaf";

        public string Model => "none";

        public Task<IReadOnlyList<Media.Pipelines.Speech.Word>> RecognizeAsync(string wavPath, IReadOnlyList<Media.Pipelines.Analysis.TimeRange> utterances, string? script, string workDirectory, Action<double> progress, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Media.Pipelines.Speech.Word>>([]);
    }

    [Fact]
    public async Task SpeedAndTrim_ShortenTheOutputExactly()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: fast
            outputs: [{ name: square, preset: reels, aspect: "1:1" }]
            steps:
              - trim: { start: 0.5, duration: 3 }
              - speed: { factor: 1.5 }
              - reframe: { mode: blur-fill }
            """;

        var (_, files) = await RunAsync(pattern);

        var probe = await TestMedia.ProbeAsync(files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal)));
        Assert.Equal((1080, 1080), (probe.Width, probe.Height));
        Assert.InRange(probe.DurationSeconds, 1.95, 2.05);
        Assert.DoesNotContain(files, f => f.EndsWith("analysis.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogoAndMusic_FromUploads_OverlaidAndMixedUnderSpeechAtTheTarget()
    {
        var logo = Path.Combine(_folder, "logo.png");
        var music = Path.Combine(_folder, "music.m4a");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=red:s=200x100", "-frames:v", "1", logo);
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-c:a", "aac", music);
        var logoKey = (await _farm.Client.UploadFileAsync(logo, null, CancellationToken.None)).Key;
        var musicKey = (await _farm.Client.UploadFileAsync(music, null, CancellationToken.None)).Key;
        const string pattern = """
            apiVersion: media.farm/v1
            name: branded
            outputs: [{ name: landscape, preset: youtube }]
            steps:
              - logo: { source: "{{logo}}", position: top-left, width: 0.1, opacity: 1, margin: 0.02 }
              - music: { source: "{{music}}", volume: -20 }
              - loudness: { target: -16 }
            """;

        var (_, files) = await RunAsync(pattern, new Dictionary<string, string> { ["logo"] = "blob:" + logoKey, ["music"] = "blob:" + musicKey });

        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        Assert.InRange(await TestMedia.LoudnessAsync(video), -17, -15);
        var (v, a) = await TestMedia.StreamDurationsAsync(video);
        Assert.True(Math.Abs(v - a) <= 1 / 30.0 + 0.001, $"video {v} s vs audio {a} s");
        // The logo's middle (top-left, 2% margin, 192 px wide) is red.
        var pixel = Path.Combine(_folder, "pixel.rgb");
        await TestMedia.FFmpegAsync("-ss", "1", "-i", video, "-frames:v", "1", "-vf", "crop=2:2:134:78", "-f", "rawvideo", "-pix_fmt", "rgb24", pixel);
        var rgb = await File.ReadAllBytesAsync(pixel);
        Assert.True(rgb[0] > 200 && rgb[1] < 60 && rgb[2] < 60, $"logo pixel is {rgb[0]},{rgb[1]},{rgb[2]}");
    }

    [Fact]
    public async Task IntroAndOutro_PlayAroundTheEditInSync()
    {
        var intro = Path.Combine(_folder, "intro.mp4");
        var outro = Path.Combine(_folder, "outro.mov");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=blue:s=640x360:r=25:d=1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p", intro);
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=1.5", "-f", "lavfi", "-i", "sine=frequency=660:duration=1.5", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", outro);
        var introKey = (await _farm.Client.UploadFileAsync(intro, null, CancellationToken.None)).Key;
        var outroKey = (await _farm.Client.UploadFileAsync(outro, null, CancellationToken.None)).Key;
        const string pattern = """
            apiVersion: media.farm/v1
            name: bookends
            outputs: [{ name: o, preset: reels }]
            steps:
              - trim: { start: 0, duration: 3 }
              - intro: { source: "{{intro}}" }
              - outro: { source: "{{outro}}" }
            """;

        var (_, files) = await RunAsync(pattern, new Dictionary<string, string> { ["intro"] = "blob:" + introKey, ["outro"] = "blob:" + outroKey });

        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        var (v, a) = await TestMedia.StreamDurationsAsync(video);
        Assert.InRange(a, 5.65, 5.75);
        Assert.True(Math.Abs(v - a) <= 1 / 30.0 + 0.001, $"video {v} s vs audio {a} s");
        // The first frame is the blue intro, fitted (letterboxed) into 9:16.
        var pixel = Path.Combine(_folder, "intro-pixel.rgb");
        await TestMedia.FFmpegAsync("-i", video, "-frames:v", "1", "-vf", "crop=2:2:539:959", "-f", "rawvideo", "-pix_fmt", "rgb24", pixel);
        var rgb = await File.ReadAllBytesAsync(pixel);
        Assert.True(rgb[2] > 200 && rgb[0] < 60, $"first frame centre is {rgb[0]},{rgb[1]},{rgb[2]}");
    }

    [Fact]
    public async Task Music_NotAStoredFile_RefusedAtSubmitNamingTheParameter()
    {
        var upload = await _farm.Client.UploadFileAsync(_speech, null, CancellationToken.None);
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = "apiVersion: media.farm/v1\nname: m\noutputs: [{ name: o, preset: youtube }]\nsteps:\n  - music: { source: \"{{music}}\" }",
        };
        request.Parameters.Add("music", "https://example.com/song.mp3");
        var remote = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(request));
        request.Parameters["music"] = "blob:uploads/nope/song.mp3";
        var missing = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(request));

        Assert.Contains("parameters[music]: the music must be 'blob:<key>'", remote.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("parameters[music]: no music is stored under 'uploads/nope/song.mp3'", missing.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clips_FanOutIntoRankedHookWindows_AndEngagementIsRecordedWithTheirFeatures()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: clips
            outputs: [{ name: short, preset: shorts }]
            steps:
              - clips: { count: 2, minLength: 3, maxLength: 4.5 }
            """;

        var (job, files) = await RunAsync(pattern);

        var analysis = JsonDocument.Parse(await File.ReadAllBytesAsync(files.Single(f => f.EndsWith("analysis.json", StringComparison.Ordinal)))).RootElement;
        var clips = analysis.GetProperty("clips").EnumerateArray().ToList();
        Assert.Equal([1, 2], clips.Select(c => c.GetProperty("rank").GetInt32()));
        Assert.Equal(["short-clip1.mp4", "short-clip2.mp4"], job.Outputs.Where(o => o.Kind == OutputKind.Video).Select(o => o.Name).Order(StringComparer.Ordinal));
        foreach (var (clip, output) in clips.Zip(["short-clip1.mp4", "short-clip2.mp4"]))
        {
            var length = clip.GetProperty("end").GetDouble() - clip.GetProperty("start").GetDouble();
            Assert.InRange(length, 3, 4.5);
            // Whole frames: within one frame (30 fps) and a little container rounding.
            Assert.InRange(job.Outputs.Single(o => o.Name == output).DurationSeconds - length, -0.045, 0.045);
            Assert.StartsWith("hook ", clip.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.True(clip.GetProperty("contributions").GetProperty("speech").GetDouble() > 0);
        }

        var hooks = analysis.GetProperty("hooks");
        Assert.Equal("hooks-v1", hooks.GetProperty("model").GetString());
        Assert.Equal(Math.Ceiling(analysis.GetProperty("durationSeconds").GetDouble() / 0.5), hooks.GetProperty("scores").GetArrayLength());

        // Engagement feedback: stored with the clip's opening features and the model that chose it.
        var engagement = _farm.Client.Engagement;
        var recorded = await engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = "short-clip2.mp4", Views = 1200, Hold3SRate = 0.62, AverageWatchFraction = 0.4, Likes = 30, Shares = 4 });
        Assert.Equal("hooks-v1", recorded.HookModel);
        Assert.Equal(clips[1].GetProperty("features").GetProperty("speech").GetDouble(), recorded.Features["speech"], 4);
        await engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = "short-clip2.mp4", Views = 5000, Hold3SRate = 0.6 });
        var listed = await engagement.ListEngagementAsync(new ListEngagementRequest());
        Assert.Equal(5000, Assert.Single(listed.Records).Views);

        var bad = await Assert.ThrowsAsync<RpcException>(async () => await engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = "short-clip1.mp4", Views = -1, Hold3SRate = 1.5 }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("views", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("hold_3s_rate", bad.Status.Detail, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = "short-clip9.mp4" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task BulkNormalize_CompliantSourceIsCopiedOtherSourcesReencoded()
    {
        var compliant = Path.Combine(_folder, "compliant.mp4");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", compliant);

        var copied = await RunAsync(null, source: compliant, patternName: "bulk-normalize");
        var reencoded = await RunAsync(null, source: _speech, patternName: "bulk-normalize");

        var copiedOutput = copied.Job.Outputs.Single(o => o.Kind == OutputKind.Video);
        Assert.Equal(("copy", 1920, 1080), (copiedOutput.Encoder, copiedOutput.Width, copiedOutput.Height));
        var reencodedOutput = reencoded.Job.Outputs.Single(o => o.Kind == OutputKind.Video);
        Assert.Equal(("libx264", 1920, 1080), (reencodedOutput.Encoder, reencodedOutput.Width, reencodedOutput.Height));
    }

    private async Task<(Job Job, IReadOnlyList<string> Files)> RunAsync(string? inlinePattern, Dictionary<string, string>? parameters = null, string? source = null, string? patternName = null)
    {
        var upload = await _farm.Client.UploadFileAsync(source ?? _speech, null, CancellationToken.None);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId } };
        if (inlinePattern is not null)
        {
            request.InlinePattern = inlinePattern;
        }
        else
        {
            request.PatternName = patternName;
        }

        request.Parameters.Add(parameters ?? []);
        var job = await _farm.Client.Jobs.SubmitJobAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);
        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var files = await _farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, job.Id), timeout.Token);
        return (job, files);
    }
}
