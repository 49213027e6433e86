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

    /// <summary>
    /// 1280x720 test pattern with synthetic speech (espeak-ng): a phrase at 0.5 s, 2.5 s of silence, a second
    /// phrase, 0.5 s of silence. Returns where the phrases are (seconds).
    /// </summary>
    public static async Task<(double FirstEnd, double SecondStart, double Duration)> MakeSpeechClipAsync(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var first = Path.Combine(folder, Guid.NewGuid().ToString("N") + "-1.wav");
        var second = Path.Combine(folder, Guid.NewGuid().ToString("N") + "-2.wav");
        foreach (var (file, text) in new[] { (first, "Welcome to the farm. Today we make short videos."), (second, "Thanks for watching, and see you next time.") })
        {
            var spoken = await RunAsync("espeak-ng", ["-s", "160", "-w", file, text]);
            Assert.True(spoken.ExitCode == 0, $"espeak-ng failed (scripts/setup.sh installs it): {spoken.Stderr}");
        }

        var firstLength = (await ProbeAsync(first)).DurationSeconds;
        var secondLength = (await ProbeAsync(second)).DurationSeconds;
        var duration = 0.5 + firstLength + 2.5 + secondLength + 0.5;
        var total = duration.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        await FFmpegAsync(
            "-i", first, "-i", second, "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={total}",
            "-filter_complex", "[0:a]aresample=48000,adelay=500:all=1,apad=pad_dur=2.5[a0];[1:a]aresample=48000,apad=pad_dur=0.5[a1];[a0][a1]concat=n=2:v=0:a=1,volume=-6dB[a]",
            "-map", "2:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", total, path);
        File.Delete(first);
        File.Delete(second);
        return (0.5 + firstLength, 0.5 + firstLength + 2.5, duration);
    }

    /// <summary>Integrated loudness (LUFS) of a file's audio, measured by ffmpeg's ebur128.</summary>
    public static async Task<double> LoudnessAsync(string path)
    {
        var result = await RunAsync("ffmpeg", ["-hide_banner", "-nostats", "-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"]);
        var line = result.Stderr.Split('\n').Last(l => l.TrimStart().StartsWith("I:", StringComparison.Ordinal));
        return double.Parse(line.Trim()[2..].Replace("LUFS", string.Empty, StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Each stream's duration (video, audio) as ffprobe reports it.</summary>
    public static async Task<(double Video, double Audio)> StreamDurationsAsync(string path)
    {
        var result = await RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,duration", "-of", "json", path]);
        using var json = JsonDocument.Parse(result.Stdout);
        double Of(string type) => double.Parse(
            json.RootElement.GetProperty("streams").EnumerateArray().First(s => s.GetProperty("codec_type").GetString() == type).GetProperty("duration").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture);
        return (Of("video"), Of("audio"));
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
