using System.Diagnostics;
using System.Text.Json;

namespace Media.IntegrationTests;

/// <summary>Small media generated with ffmpeg's lavfi sources once per test run, plus deliberately broken files.</summary>
public sealed class TestMedia : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "media-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>1280x720, 25 fps, 2 s, test pattern with a 440 Hz tone.</summary>
    public string Landscape => Path.Combine(Directory, "landscape.mp4");

    /// <summary>640x360, 1.5 s, no audio track.</summary>
    public string Silent => Path.Combine(Directory, "silent.mp4");

    /// <summary>1280x720, 12 s: long enough to kill or cancel mid-render.</summary>
    public string Long => Path.Combine(Directory, "long.mp4");

    /// <summary>4 s: 1 s black, 1 s heavily blurred, then 2 s sharp; the best cover must come from the end.</summary>
    public string DarkBlurSharp => Path.Combine(Directory, "dark-blur-sharp.mp4");

    /// <summary>An mp4 cut to 40%: the index (moov) at the end is gone.</summary>
    public string Truncated => Path.Combine(Directory, "truncated.mp4");

    /// <summary>A text file named .mp4.</summary>
    public string TextFile => Path.Combine(Directory, "notes.mp4");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        await FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", Landscape);
        await FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1.5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", Silent);
        await FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=12", "-f", "lavfi", "-i", "sine=frequency=220:duration=12",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", Long);
        await FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
            "-vf", "boxblur=luma_radius=20:luma_power=3:enable='between(t,1,2)',eq=brightness=-1:enable='lt(t,1)'",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", DarkBlurSharp);
        var whole = await File.ReadAllBytesAsync(Landscape);
        await File.WriteAllBytesAsync(Truncated, whole[..(whole.Length * 4 / 10)]);
        await File.WriteAllTextAsync(TextFile, "This is not a video, just a text file with a video extension.\n");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A small 640x360 test-pattern clip, with a tone unless <paramref name="audio"/> is false.</summary>
    public static Task MakeClipAsync(string path, double seconds, bool audio = true)
    {
        var duration = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] video = ["-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=25:duration={duration}"];
        string[] sound = audio ? ["-f", "lavfi", "-i", $"sine=duration={duration}", "-c:a", "aac", "-shortest"] : [];
        return FFmpegAsync([.. video, .. sound, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path]);
    }

    public static async Task FFmpegAsync(params string[] arguments)
    {
        var result = await RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", .. arguments]);
        Assert.True(result.ExitCode == 0, $"ffmpeg failed: {result.Stderr}");
    }

    /// <summary>ffprobe's view of a file: (width, height, video codec, audio codec, duration, frame rate).</summary>
    public static async Task<ProbeView> ProbeAsync(string path)
    {
        var result = await RunAsync("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]);
        Assert.True(result.ExitCode == 0, $"ffprobe failed on {path}: {result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "video");
        var audio = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "audio");
        var duration = json.RootElement.GetProperty("format").TryGetProperty("duration", out var d)
            ? double.Parse(d.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        return new ProbeView(
            video.ValueKind == JsonValueKind.Object ? video.GetProperty("width").GetInt32() : 0,
            video.ValueKind == JsonValueKind.Object ? video.GetProperty("height").GetInt32() : 0,
            video.ValueKind == JsonValueKind.Object ? video.GetProperty("codec_name").GetString()! : "",
            audio.ValueKind == JsonValueKind.Object ? audio.GetProperty("codec_name").GetString()! : "",
            duration,
            video.ValueKind == JsonValueKind.Object ? video.GetProperty("r_frame_rate").GetString()! : "");
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

public sealed record ProbeView(int Width, int Height, string VideoCodec, string AudioCodec, double DurationSeconds, string FrameRate);

[CollectionDefinition(Name)]
public sealed class MediaCollection : ICollectionFixture<TestMedia>
{
    public const string Name = "media";
}
