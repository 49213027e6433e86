using System.Globalization;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Render;

namespace Media.IntegrationTests;

/// <summary>
/// A face path as long as a 20-minute source gives (a scene cut every few seconds: thousands of keyframes) must be an
/// expression real ffmpeg accepts: a flat sum failed past 97 terms ("Failed to configure input pad on Parsed_crop_0"),
/// which failed podcast-to-clips on every long source. The crop must still be where the path says.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class CropPathFFmpegTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(2400)]
    public async Task LongPath_ParsesAndCropsWhereThePathSays(int keyframes)
    {
        // A keyframe every 0.5 s (20 minutes of them for 2400), offsets anywhere in 0..438 on a 640 px wide source; the
        // frames are stamped 1000 s later so the crop is read deep inside the expression's tree.
        var random = new Random(keyframes);
        var path = new CropPath(202, 360, true, [.. Enumerable.Range(0, keyframes).Select(i => new CropKeyframe(i * 0.5, random.Next(0, 439)))]);
        var shift = keyframes > 100 ? 1000 : 0;
        var folder = Directory.CreateTempSubdirectory("croppath-").FullName;
        try
        {
            var at = shift + 1.02;
            var expected = path.OffsetAt(at);
            var following = Path.Combine(folder, "following.png");
            var fixedAt = Path.Combine(folder, "fixed.png");
            string[] source = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=50:duration=2"];
            var crop = new Filter("crop", [new("w", "202"), new("h", "360"), new("x", path.Expression()), new("y", "0")]).Render();
            var stamp = $"setpts=PTS+{shift}/TB,";
            await TestMedia.FFmpegAsync([.. source, "-vf", stamp + crop + ",select=eq(n\\,51)", "-frames:v", "1", following]);
            await TestMedia.FFmpegAsync([.. source, "-vf", stamp + $"crop=w=202:h=360:x={expected.ToString("0.####", CultureInfo.InvariantCulture)}:y=0,select=eq(n\\,51)", "-frames:v", "1", fixedAt]);

            // Frame 51 (t = 1.02 s) cropped by the expression is the frame cropped at the path's own offset.
            Assert.Equal(await File.ReadAllBytesAsync(fixedAt), await File.ReadAllBytesAsync(following));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task GraphLongerThanOneArgumentMayBe_GoesInAFileAndRenders()
    {
        // An hour of crop keyframes every 0.5 s: the graph is over the 128 KiB Linux allows one argument, so ffmpeg could
        // not even be started with it inline.
        var random = new Random(7);
        var plan = new RenderPlan
        {
            OutputName = "o",
            Width = 180,
            Height = 320,
            Reframe = Media.Pipelines.Patterns.ReframeMode.Face,
            Preset = Media.Pipelines.Patterns.EncodePreset.TikTok,
            Segments = [new PlannedSegment(0, 1, 1)],
            SourceHasAudio = false,
            FacePath = new CropPath(202, 360, true, [.. Enumerable.Range(0, 7200).Select(i => new CropKeyframe(i * 0.5, random.Next(0, 439)))]),
        };
        var folder = Directory.CreateTempSubdirectory("longgraph-").FullName;
        try
        {
            var source = Path.Combine(folder, "in.mp4");
            await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1", "-pix_fmt", "yuv420p", source);
            var command = RenderCommandBuilder.Build(plan, source, Path.Combine(folder, "out.mp4"));
            Assert.True(command.Graph.Render().Length > 128 * 1024, $"the graph is only {command.Graph.Render().Length} characters");

            var filed = await command.WithLongGraphInFileAsync(folder, CancellationToken.None);
            var result = await TestMedia.RunAsync("ffmpeg", filed.ToArguments());

            Assert.Contains("-filter_complex_script", filed.ToArguments());
            Assert.True(result.ExitCode == 0, result.Stderr);
            var probe = await TestMedia.ProbeAsync(Path.Combine(folder, "out.mp4"));
            Assert.Equal((180, 320, 1.0), (probe.Width, probe.Height, Math.Round(probe.DurationSeconds, 1)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
