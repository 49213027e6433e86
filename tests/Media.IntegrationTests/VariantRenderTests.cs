using Media.Client;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// Several outputs of one edit made by one ffmpeg (one decode of the source, one encoder each) are the files separate
/// renders make, and a farm job with outputs in three shapes renders them in one stage.
/// </summary>
public sealed class VariantRenderTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("variant-render-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task OneDecode_EachOutputIsTheSeparateRender_FrameForFrameAndSampleForSample()
    {
        var source = Path.Combine(_folder, "source.mp4");
        await TestMedia.MakeClipAsync(source, 4);
        var logo = Path.Combine(_folder, "logo.png");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=red:s=64x32:d=1", "-frames:v", "1", logo);
        RenderPlan Plan(string name, int width, int height, ReframeMode mode) => new()
        {
            OutputName = name,
            Width = width,
            Height = height,
            Reframe = mode,
            Preset = EncodePreset.TikTok with { Width = width, Height = height },
            // Two pieces, the second zoomed in and sped up: each output cuts the same decoded frames.
            Segments = [new PlannedSegment(0, 1.5, 1), new PlannedSegment(2, 4, 1.2)],
            Speed = 1.1,
            SourceHasAudio = true,
            GainDb = -2,
            Texts = [new PlannedText("SHAPES", 0.5, 2, 40, "#FFFFFF", "#000000A0", TextPosition.Top)],
        };

        // Three shapes; the square one has a logo, an input of its own that the combined command must renumber.
        RenderPlan[] plans =
        [
            Plan("vertical", 360, 640, ReframeMode.Center),
            Plan("square", 360, 360, ReframeMode.Center) with { Logo = new PlannedLogo("blob:logo", Corner.TopRight, 48, 0.8, 8) },
            Plan("wide", 640, 360, ReframeMode.Fit),
        ];
        var separate = new List<string>();
        var commands = new List<FFmpegCommand>();
        foreach (var plan in plans)
        {
            var files = await RenderFiles.WriteAsync(plan, _folder, FontLocator.Find(null), CancellationToken.None);
            var assets = files.Assets with { LogoPath = plan.Logo is null ? null : logo };
            var alone = Path.Combine(_folder, $"{plan.OutputName}.alone.mp4");
            await TestMedia.FFmpegAsync([.. RenderCommandBuilder.Build(plan, source, alone, assets).ToArguments()]);
            separate.Add(alone);
            commands.Add(RenderCommandBuilder.Build(plan, source, Path.Combine(_folder, $"{plan.OutputName}.together.mp4"), assets));
        }

        var together = OneDecode.Combine(commands);
        Assert.Single(together.Inputs, i => i.Path == source);
        await TestMedia.FFmpegAsync([.. together.ToArguments()]);

        foreach (var (plan, alone) in plans.Zip(separate))
        {
            var made = Path.Combine(_folder, $"{plan.OutputName}.together.mp4");
            var probe = await TestMedia.ProbeAsync(made);
            Assert.Equal((plan.Width, plan.Height), (probe.Width, probe.Height));
            // Every decoded frame and audio packet the same as the separate render's.
            Assert.Equal(await FrameHashesAsync(alone), await FrameHashesAsync(made));
        }

        // The logo (the square's own input, renumbered) is in the square's top-right corner: red, 80% opaque.
        var (r, g, b) = await PixelAsync(Path.Combine(_folder, "square.together.mp4"), 360 - 8 - 24, 8 + 12);
        Assert.True(r > 180 && g < 90 && b < 90, $"rgb {r},{g},{b}");
    }

    [Fact]
    public async Task Farm_ThreeShapesOfOneEdit_OneStageRendersThem_EachRevisableAlone()
    {
        await using var farm = new InProcessFarm();
        await farm.InitializeAsync();
        var clip = Path.Combine(_folder, "clip.mp4");
        await TestMedia.MakeClipAsync(clip, 3);
        var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
        var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = """
                apiVersion: media.farm/v1
                kind: Pattern
                name: three-shapes
                outputs:
                  - { name: vertical, preset: tiktok }
                  - { name: square, preset: tiktok, aspect: "1:1" }
                  - { name: wide, preset: youtube }
                steps:
                  - reframe: { mode: auto }
                  - text: { text: "Three shapes", start: 0, end: 2 }
                """,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var renders = job.Stages.Where(s => s.Kind == StageKind.Render).ToDictionary(s => s.OutputName);
        Assert.Equal(("", $"{job.Id}.render.vertical", $"{job.Id}.render.vertical"), (renders["vertical"].RenderedBy, renders["square"].RenderedBy, renders["wide"].RenderedBy));
        Assert.All(renders.Values, s => Assert.Equal(StageState.Succeeded, s.State));
        // Only the first was ever run (the variants' stages were never dispatched).
        Assert.Equal((1, 0, 0), (renders["vertical"].Attempt, renders["square"].Attempt, renders["wide"].Attempt));
        // Every shape was planned against the one analysis (face framing: the centre, as the test pattern has no face).
        Assert.Single(job.Stages, s => s.Kind == StageKind.Analyze);
        var sizes = new Dictionary<string, (int, int)> { ["vertical"] = (1080, 1920), ["square"] = (1080, 1080), ["wide"] = (1920, 1080) };
        foreach (var (name, size) in sizes)
        {
            var video = job.Outputs.Single(o => o.Name == name + ".mp4");
            Assert.Equal(size, (video.Width, video.Height));
            Assert.Equal(3, video.DurationSeconds, 1);
            Assert.Contains(job.Outputs, o => o.Kind == OutputKind.EditPlan && o.Name.StartsWith(name + ".", StringComparison.Ordinal));
        }

        // A variant's plan is its own: a revision of the square output renders it alone.
        var (revision, json) = await farm.Client.GetEditPlanAsync(job.Id, "square");
        var revising = await farm.Client.ReviseOutputAsync(job.Id, "square", revision, json.Replace("Three shapes", "One square", StringComparison.Ordinal));
        var revised = await farm.Client.WaitAsync(revising.Id, null, timeout.Token);
        Assert.True(revised.State == JobState.Succeeded, $"{revised.State}: {revised.Error}");
        var r2 = revised.Stages.Single(s => s.OutputName == "square.r2");
        Assert.Equal(("", 1), (r2.RenderedBy, r2.Attempt));
        Assert.Equal((1080, 1080), (revised.Outputs.Single(o => o.Name == "square.r2.mp4").Width, revised.Outputs.Single(o => o.Name == "square.r2.mp4").Height));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    // framemd5 of every decoded video frame and audio frame (timestamps and hashes).
    private static async Task<string[]> FrameHashesAsync(string path)
    {
        var result = await TestMedia.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-map", "0", "-f", "framemd5", "-"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
        Assert.NotEmpty(lines);
        return lines;
    }

    // The colour (0-255 each) of the pixel at (x, y) of the frame at 1 s.
    private async Task<(int R, int G, int B)> PixelAsync(string path, int x, int y)
    {
        var raw = Path.Combine(_folder, "pixel.rgb");
        await TestMedia.FFmpegAsync("-ss", "1", "-i", path, "-frames:v", "1", "-vf", FormattableString.Invariant($"crop=1:1:{x}:{y},format=rgb24"), "-f", "rawvideo", raw);
        var rgb = File.ReadAllBytes(raw);
        return (rgb[0], rgb[1], rgb[2]);
    }
}
