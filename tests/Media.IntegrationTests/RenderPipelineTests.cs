using Media.Pipelines.FFmpeg;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Selection;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Media.Pipelines.Faces;
using Media.Pipelines.Fonts;

namespace Media.IntegrationTests;

[Collection(MediaCollection.Name)]
public sealed class RenderPipelineTests(TestMedia media) : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("render-").FullName;
    private readonly ToolRunner _runner = new(NullLogger<ToolRunner>.Instance, TimeProvider.System);
    private readonly PatternLibrary _patterns = new();

    // The generated test pictures have no face: reframe-vertical's auto mode crops the middle.
    private static readonly Media.Pipelines.Analysis.SourceAnalysis NoFaces = new() { Faces = new Media.Pipelines.Analysis.FaceTrack("blazeface", 2, []) };

    private MediaProber Prober => new(_runner, Options.Create(new ToolPaths()), Options.Create(new MediaLimits()));

    [Theory]
    [InlineData("reframe-vertical")]
    [InlineData("vertical-blur-fill")]
    public async Task Render_LandscapeSource_GivesConformingVertical(string patternName)
    {
        var pattern = _patterns.Find(patternName)!;
        var source = await Prober.ProbeAsync(media.Landscape, CancellationToken.None);
        var output = Path.Combine(_out, patternName + ".mp4");
        var progress = new List<FFmpegProgress>();
        var parser = new FFmpegProgressParser();

        await _runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(RenderPlanner.Plan(pattern, pattern.Outputs[0], source, NoFaces), media.Landscape, output).ToArguments(),
            CancellationToken.None, line => { if (parser.Feed(line) is { } p) { progress.Add(p); } });

        var probe = await TestMedia.ProbeAsync(output);
        Assert.Equal((1080, 1920, "h264", "aac", "30/1"), (probe.Width, probe.Height, probe.VideoCodec, probe.AudioCodec, probe.FrameRate));
        Assert.InRange(probe.DurationSeconds, source.DurationSeconds - 0.1, source.DurationSeconds + 0.1);
        Assert.True(progress[^1].IsEnd);
        Assert.InRange(progress[^1].OutTime.TotalSeconds, 1.8, 2.1);
    }

    [Fact]
    public async Task Render_SourceWithoutAudio_GetsSilentAacTrackOfSameLength()
    {
        var pattern = _patterns.Find("reframe-vertical")!;
        var source = await Prober.ProbeAsync(media.Silent, CancellationToken.None);
        var output = Path.Combine(_out, "silent.mp4");

        await _runner.RunAsync("ffmpeg", RenderCommandBuilder.Build(RenderPlanner.Plan(pattern, pattern.Outputs[0], source, NoFaces), media.Silent, output).ToArguments(), CancellationToken.None);

        var probe = await TestMedia.ProbeAsync(output);
        Assert.False(source.HasAudio);
        Assert.Equal("aac", probe.AudioCodec);
        Assert.InRange(probe.DurationSeconds, 1.4, 1.6);
    }

    [Theory]
    [InlineData("it's: 100% [real]; a,b \\ {\\b1} %{pts} \n new line")]
    [InlineData("'''''")]
    [InlineData("\\\\\\")]
    public async Task FilterEscaping_HostileText_RendersLiterallyInRealFFmpeg(string text)
    {
        // drawtext with textfile-free literal text: if escaping were wrong, ffmpeg would fail to parse the graph.
        var graph = new FilterGraph([new FilterChain(["0:v"], [Filter.Of("drawtext", ("fontfile", FontLocator.Find(null)), ("text", text), ("expansion", "none"), ("fontsize", 24))], ["v"])]);
        var command = new FFmpegCommand
        {
            Inputs = [new FFmpegInput("testsrc2=size=320x240:rate=5:duration=0.4") { Format = "lavfi" }],
            Graph = graph,
            Maps = ["[v]"],
            OutputOptions = ["-f", "null"],
            OutputPath = "-",
            ReportProgress = false,
        };

        var result = await _runner.RunAsync("ffmpeg", command.ToArguments(), CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Probe_TruncatedAndTextFiles_ThrowInvalidMediaWithToolTail()
    {
        var truncated = await Assert.ThrowsAsync<InvalidMediaException>(() => Prober.ProbeAsync(media.Truncated, CancellationToken.None));
        var text = await Assert.ThrowsAsync<InvalidMediaException>(() => Prober.ProbeAsync(media.TextFile, CancellationToken.None));

        Assert.Contains("moov atom not found", truncated.ToolStderrTail, StringComparison.Ordinal);
        Assert.NotEmpty(text.ToolStderrTail);
    }

    // Asserts a wall-clock bound: run apart from the parallel suite (scripts/test.sh runs the Timing trait alone).
    [Fact]
    [Trait("Category", "Timing")]
    public async Task RunAsync_Cancelled_StopsFFmpegWithinTwoSeconds()
    {
        using var cancel = new CancellationTokenSource();
        var run = _runner.RunAsync("ffmpeg", ["-hide_banner", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-c:v", "libx264", "-preset", "veryslow", "-f", "null", "-"], cancel.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task FrameSelection_DarkBlurSharpClip_PicksSharpWellLitFrames()
    {
        var selection = new FrameSelection(_runner, Options.Create(new ToolPaths()), new NoFaceDetector());
        var source = await Prober.ProbeAsync(media.DarkBlurSharp, CancellationToken.None);

        var candidates = await selection.ScoreCandidatesAsync(media.DarkBlurSharp, source, _out, CancellationToken.None);
        var chosen = await selection.SelectAsync(media.DarkBlurSharp, source, 2, _out, CancellationToken.None);

        Assert.Equal(FrameSelector.CandidateCount(4), candidates.Count);
        Assert.All(candidates.Where(c => c.TimeSeconds < 0.9), c => Assert.True(c.Exposure < 0.3, $"{c.TimeSeconds}: exposure {c.Exposure}"));
        Assert.True(candidates.Where(c => c.TimeSeconds is > 1.1 and < 1.9).Max(c => c.Sharpness) < candidates.Where(c => c.TimeSeconds > 2.1).Min(c => c.Sharpness));
        Assert.Equal(2, chosen.Count);
        Assert.All(chosen, f => Assert.InRange(f.Candidate.TimeSeconds, 2.0, 3.6));
        Assert.True(Math.Abs(chosen[0].Candidate.TimeSeconds - chosen[1].Candidate.TimeSeconds) >= 0.5);
        foreach (var frame in chosen)
        {
            var probe = await TestMedia.ProbeAsync(frame.PngPath);
            Assert.Equal((640, 360, "png"), (probe.Width, probe.Height, probe.VideoCodec));
        }
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
