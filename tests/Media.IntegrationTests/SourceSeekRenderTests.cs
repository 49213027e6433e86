using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;

namespace Media.IntegrationTests;

/// <summary>
/// An edit that starts well into its source (a clip from late in a long episode) reads the source from just before its
/// first piece instead of decoding and reframing everything before it, and comes out the same: every decoded frame and
/// audio frame of the render equals those of the render that reads the source from the start.
/// </summary>
public sealed class SourceSeekRenderTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("source-seek-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task LateClip_ReadFromBeforeItsFirstPiece_SameFramesAndSamplesAsFromTheStart()
    {
        // AAC without perceptual noise substitution: a noise-filled band's samples come from the decoder's random state,
        // which depends on where decoding started, so a seek would change them (noise either way, but not bit-exact).
        var source = Path.Combine(_folder, "source.mp4");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=20", "-f", "lavfi", "-i", "sine=frequency=500:duration=20",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-aac_pns", "0", "-shortest", source);
        var plan = new RenderPlan
        {
            OutputName = "clip",
            Width = 200,
            Height = 360,
            Reframe = ReframeMode.Face,
            // The crop moves on the source's clock: it must see the same times after the seek.
            FacePath = new CropPath(200, 360, true, [new CropKeyframe(11, 0), new CropKeyframe(13.5, 400), new CropKeyframe(16, 100)]),
            Preset = EncodePreset.TikTok with { Width = 200, Height = 360 },
            Segments = [new PlannedSegment(12.3, 14.1, 1), new PlannedSegment(15.2, 17.9, 1.2)],
            SourceHasAudio = true,
            GainDb = -1,
            Texts = [new PlannedText("LATE CLIP", 0.5, 2.5, 30, "#FFFFFF", "#000000A0", TextPosition.Top)],
        };
        var files = await RenderFiles.WriteAsync(plan, _folder, FontLocator.Find(null), CancellationToken.None);

        Assert.Equal(11, RenderCommandBuilder.SourceSeek(plan));
        var seeked = Path.Combine(_folder, "seeked.mp4");
        var command = RenderCommandBuilder.Build(plan, source, seeked, files.Assets);
        Assert.Equal(TimeSpan.FromSeconds(11), command.Inputs[0].Seek);
        await TestMedia.FFmpegAsync([.. command.ToArguments()]);
        var whole = Path.Combine(_folder, "whole.mp4");
        var fromStart = RenderCommandBuilder.Build(plan, source, whole, files.Assets, seek: 0);
        Assert.Null(fromStart.Inputs[0].Seek);
        await TestMedia.FFmpegAsync([.. fromStart.ToArguments()]);

        Assert.Equal(await HashesAsync(whole, "v"), await HashesAsync(seeked, "v"));
        Assert.Equal(await HashesAsync(whole, "a"), await HashesAsync(seeked, "a"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    // framemd5 of every decoded frame of one stream kind (timestamps and hashes).
    private static async Task<string[]> HashesAsync(string path, string stream)
    {
        var result = await TestMedia.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-map", $"0:{stream}:0", "-f", "framemd5", "-"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
        Assert.True(lines.Length > 10, $"{lines.Length} frames of {stream}");
        return lines;
    }
}
