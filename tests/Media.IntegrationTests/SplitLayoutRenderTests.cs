using Media.Pipelines.Patterns;
using Media.Pipelines.Render;
using Media.Pipelines.Speakers;

namespace Media.IntegrationTests;

/// <summary>
/// The layout graph through real ffmpeg, read as a viewer sees it: a source with a red person on the left and a blue one
/// on the right must show the crop (red) before 1 s, red above blue from 1 s, the whole picture from 2 s; a part of a
/// chunked render shows the same at the same source time.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class SplitLayoutRenderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("split-layout-").FullName;

    private static RenderPlan Plan()
    {
        // Windows of 320x284 (the shape of a 270x240 half); the top one over the red box, the bottom one over the blue.
        static MovingWindow Window(double left) => new(new CropPath(320, 284, true, [new(0, left)]), new CropPath(320, 284, false, [new(0, 38)]));
        return new RenderPlan
        {
            OutputName = "o",
            Width = 270,
            Height = 480,
            Reframe = ReframeMode.Face,
            Preset = EncodePreset.TikTok,
            Segments = [new PlannedSegment(0, 3, 1)],
            SourceHasAudio = false,
            FacePath = new CropPath(202, 360, true, [new(0, 19)]),
            Layout = new SplitLayout(Window(0), Window(320), [new(1, 2, LayoutKind.Split), new(2, 3, LayoutKind.Wide)]),
        };
    }

    [Fact]
    public async Task Layout_CropThenSplitThenWide_AtThePlannedTimes()
    {
        var source = await SourceAsync();
        var output = Path.Combine(_folder, "out.mp4");
        await RunAsync(RenderCommandBuilder.Build(Plan(), source, output));

        // Crop (0.5 s): red fills the middle. Split (1.5 s): red above, blue below. Wide (2.5 s): green in the middle,
        // red left of it and blue right of it on one row (the whole 640x360 picture fitted into 270 px).
        Assert.Equal("red", await ColourAsync(output, 0.5, 135, 240));
        Assert.Equal(("red", "blue"), (await ColourAsync(output, 1.5, 135, 120), await ColourAsync(output, 1.5, 135, 360)));
        Assert.Equal(("green", "red", "blue"), (await ColourAsync(output, 2.5, 135, 240), await ColourAsync(output, 2.5, 50, 240), await ColourAsync(output, 2.5, 219, 240)));
    }

    [Fact]
    public async Task Layout_InAPartOfAChunkedRender_SwitchesAtTheSameSourceTimes()
    {
        var source = await SourceAsync();
        var part = Path.Combine(_folder, "part.mp4");
        await RunAsync(RenderCommandBuilder.BuildVideoPart(Plan(), source, part, 1, 3));

        // The part starts at 1 s of the output: split for its first second, then wide.
        Assert.Equal(("red", "blue"), (await ColourAsync(part, 0.5, 135, 120), await ColourAsync(part, 0.5, 135, 360)));
        Assert.Equal("green", await ColourAsync(part, 1.5, 135, 240));
    }

    private static async Task RunAsync(Media.Pipelines.FFmpeg.FFmpegCommand command)
    {
        var result = await TestMedia.RunAsync("ffmpeg", command.ToArguments());
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    // 640x360, green, a red box (x 40-200) and a blue one (x 440-600), both from y 60 to 300.
    private async Task<string> SourceAsync()
    {
        var path = Path.Combine(_folder, "two.mp4");
        await TestMedia.FFmpegAsync(
            "-f", "lavfi", "-i", "color=c=green:s=640x360:r=30:d=3",
            "-vf", "drawbox=x=40:y=60:w=160:h=240:color=red:t=fill,drawbox=x=440:y=60:w=160:h=240:color=blue:t=fill",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", path);
        return path;
    }

    private async Task<string> ColourAsync(string video, double time, int x, int y)
    {
        var pixel = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".rgb");
        await TestMedia.FFmpegAsync("-ss", time.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", video, "-frames:v", "1", "-vf", $"crop=2:2:{x}:{y}", "-f", "rawvideo", "-pix_fmt", "rgb24", pixel);
        var rgb = await File.ReadAllBytesAsync(pixel);
        return (rgb[0], rgb[1], rgb[2]) switch
        {
            var (r, g, b) when r > 180 && g < 80 && b < 80 => "red",
            var (r, g, b) when b > 180 && r < 80 && g < 80 => "blue",
            var (r, g, b) when g > 90 && r < 60 && b < 60 => "green",
            var (r, g, b) => $"{r},{g},{b}",
        };
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
