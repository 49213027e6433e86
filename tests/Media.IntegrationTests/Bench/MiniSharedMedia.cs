namespace Media.IntegrationTests.Bench;

/// <summary>
/// A few seconds of generated media laid out like the workplace's shared media folder (the same file names the
/// evaluations look for), so every bench and eval command can run end to end in seconds, anywhere.
/// </summary>
public sealed class MiniSharedMedia : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "media-mini-shared-" + Guid.NewGuid().ToString("N"));

    /// <summary>A talking-head-sized clip with speech, audio and video of the same length.</summary>
    public string Clip => Path.Combine(Folder, "talking_head", "obama_wh_weekly_address_a.mp4");

    public async Task InitializeAsync()
    {
        foreach (var sub in new[] { "speech", "talking_head", "derived" })
        {
            Directory.CreateDirectory(Path.Combine(Folder, sub));
        }

        var words = Path.Combine(Folder, "words.wav");
        await Espeak(words, "hello world this is a short test of the farm");
        await TestMedia.FFmpegAsync("-i", words, "-ar", "16000", Path.Combine(Folder, "speech", "minilibrispeech_train-clean-5_1-2-0001.flac"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "speech", "minilibrispeech_transcripts.trans.txt"), "1-2-0001 HELLO WORLD THIS IS A SHORT TEST OF THE FARM\n");
        await Espeak(Path.Combine(Folder, "speech", "jfk.wav"), "and so my fellow americans ask not what your country can do for you");

        // Video exactly as long as its speech: the evaluations check outputs whose sound and picture end together.
        foreach (var name in new[] { "obama_wh_weekly_address_a.mp4", "obama_wh_weekly_address_b.mp4" })
        {
            await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3", "-i", words, "-filter_complex", "[1:a]apad,atrim=0:3[a]",
                "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "3", Path.Combine(Folder, "talking_head", name));
        }

        // GRID-sized clips (3 s, like the corpus's), two of them: speakers-eval builds its two-person footage from them.
        foreach (var name in new[] { "grid_id2_swwp2s.mpg", "grid_bbaf2n.mpg" })
        {
            await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=360x288:rate=25:duration=3", "-i", words, "-filter_complex", "[1:a]apad,atrim=0:3,aresample=44100[a]",
                "-map", "0:v", "-map", "[a]", "-c:v", "mpeg1video", "-c:a", "mp2", "-t", "3", Path.Combine(Folder, "talking_head", name));
        }

        await File.WriteAllTextAsync(Path.Combine(Folder, "talking_head", "grid_id2_swwp2s.align"), "0 5000 sil\n5000 12000 hello\n12000 20000 world\n");

        // A "montage" with one hard cut at 3 s.
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3", "-f", "lavfi", "-i", "smptebars=size=640x360:rate=25:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=300:duration=6", "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-map", "2:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "6", Path.Combine(Folder, "derived", "grid_montage_10speakers_30s.mp4"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task Espeak(string path, string text)
    {
        var result = await TestMedia.RunAsync("espeak-ng", ["-w", path, text]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }
}
