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
}
