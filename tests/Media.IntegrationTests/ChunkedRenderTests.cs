using System.Globalization;
using System.Text.Json;
using Media.Client;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;
using Media.Protos.V1;
using Xunit.Abstractions;

namespace Media.IntegrationTests;

/// <summary>
/// A long output rendered as video parts plus one sound pass, joined by stream copy, is the output a single render makes:
/// the same frames (count, timestamps, pictures), the same length, and sound in sync with the picture at every join,
/// checked on a source that flashes and beeps together every second (and a title across a join).
/// </summary>
public sealed class ChunkedRenderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double Seconds = 20;
    private const int Rate = 30;
    private readonly string _folder = Directory.CreateTempSubdirectory("chunked-render-").FullName;
    private string _source = null!;

    public async Task InitializeAsync()
    {
        _source = Path.Combine(_folder, "flash-beep.mp4");
        await MakeSourceAsync(_source, Seconds);
    }

    // speed (1.2: each 25 fps source frame lands on one 30 fps output frame, so every flash is kept), parts
    [Theory]
    [InlineData(1.0, 5)]
    [InlineData(1.2, 4)]
    public async Task PartsJoined_AreTheSingleRender_FrameForFrame_InSyncAtEveryJoin(double speed, int partCount)
    {
        var plan = Plan([new PlannedSegment(0, Seconds, 1)], speed);

        await AssertPartsAreTheSingleRenderAsync(plan, partCount, [.. Enumerable.Range(0, (int)Seconds).Select(s => s / speed)]);
    }

    // A cut plan (three kept pieces, the middle one punched in) in parts: each part renders only the pieces it shows, and
    // the joins of parts and of pieces fall in different places (at 1.2x the first piece ends exactly on a part's edge).
    [Theory]
    [InlineData(1.0, 4)]
    [InlineData(1.2, 3)]
    public async Task CutPlanPartsJoined_AreTheSingleRender_FrameForFrame_InSyncAtEveryJoin(double speed, int partCount)
    {
        // Pieces start on source frames (25 fps), so at 1.2x each source frame still lands on an output frame of its own.
        PlannedSegment[] kept = [new(0.52, 5.32, 1), new(6.84, 11.4, 1.2), new(12.92, 19.72, 1)];
        var plan = Plan(kept, speed);
        // Each whole source second inside a kept piece flashes at its edit time: the pieces before it, then its own offset.
        var flashes = new List<double>();
        var edited = 0.0;
        foreach (var piece in kept)
        {
            flashes.AddRange(Enumerable.Range(0, (int)Seconds).Where(s => s >= piece.Start && s < piece.End).Select(s => (edited + s - piece.Start) / speed));
            edited += piece.Duration;
        }

        await AssertPartsAreTheSingleRenderAsync(plan, partCount, flashes);
    }

    private static RenderPlan Plan(PlannedSegment[] segments, double speed) => new()
    {
        OutputName = "o",
        Width = 640,
        Height = 360,
        Reframe = ReframeMode.Fit,
        Preset = EncodePreset.YouTube with { Width = 640, Height = 360 },
        Segments = segments,
        Speed = speed,
        SourceHasAudio = true,
        GainDb = -3,
        // A title from 3 s to 6 s: drawn across the join at 4 s, from the whole output's clock.
        Texts = [new PlannedText("ACROSS THE JOIN", 3, 6, 40, "#FFFFFF", "#000000A0", TextPosition.Top)],
    };

    private async Task AssertPartsAreTheSingleRenderAsync(RenderPlan plan, int partCount, IReadOnlyList<double> expectedFlashes)
    {
        var files = await RenderFiles.WriteAsync(plan, _folder, FontLocator.Find(null), CancellationToken.None);

        var single = Path.Combine(_folder, "single.mp4");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.Build(plan, _source, single, files.Assets).ToArguments()]);

        var parts = new List<string>();
        var length = RenderCommandBuilder.MainLength(plan);
        foreach (var (range, i) in RenderChunks.Ranges(length, 8, 4).Select((r, i) => (r, i)))
        {
            var part = Path.Combine(_folder, $"part{i}.mp4");
            await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildVideoPart(plan, _source, part, range.Start, Math.Min(range.End, length), files.Assets).ToArguments()]);
            parts.Add(part);
        }

        var sound = Path.Combine(_folder, "sound.m4a");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildAudioPass(plan, _source, sound, files.Assets).ToArguments()]);
        var list = Path.Combine(_folder, "parts.ffconcat");
        await File.WriteAllTextAsync(list, RenderCommandBuilder.ConcatList(parts));
        var joined = Path.Combine(_folder, "joined.mp4");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildJoin(list, sound, joined).ToArguments()]);

        Assert.Equal(partCount, parts.Count);
        var (singleTimes, joinedTimes) = (await FrameTimesAsync(single), await FrameTimesAsync(joined));
        // Every frame once, on the 30 fps grid, no gap or repeat at a join: the same timestamps as the single render.
        Assert.Equal((int)Math.Round(length * Rate), joinedTimes.Count);
        Assert.Equal(singleTimes, joinedTimes);
        Assert.All(joinedTimes.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));

        var (video, audio) = await TestMedia.StreamDurationsAsync(joined);
        var (singleVideo, singleAudio) = await TestMedia.StreamDurationsAsync(single);
        Assert.Equal(singleVideo, video, 3);
        Assert.Equal(singleAudio, audio, 2);

        // The same pictures: a frame shifted by one at a join would differ everywhere (the test pattern moves each frame).
        var psnr = await PsnrPerFrameAsync(single, joined);
        Assert.Equal(joinedTimes.Count, psnr.Count);
        output.WriteLine(FormattableString.Invariant($"PSNR joined vs single: min {psnr.Min():0.0} dB, mean {psnr.Average():0.0} dB"));
        Assert.True(psnr.Min() > 30, FormattableString.Invariant($"frame {psnr.IndexOf(psnr.Min())} differs from the single render (PSNR {psnr.Min():0.0} dB)"));

        // Sound and picture together at every join and everywhere else: each flash starts with its beep (within one frame),
        // and where the edit puts it (within one frame).
        var flashes = await FlashStartsAsync(joined);
        var beeps = await BeepStartsAsync(joined);
        Assert.Equal(expectedFlashes.Count, flashes.Count);
        var misplaced = flashes.Zip(expectedFlashes, (f, e) => Math.Abs(f - e)).Max();
        Assert.True(misplaced <= (1.0 / Rate) + 1e-3, FormattableString.Invariant($"a flash {misplaced * 1000:0} ms from its edit time: {string.Join(' ', flashes.Select(f => f.ToString("0.000", CultureInfo.InvariantCulture)))}"));
        Assert.Equal(flashes.Count, beeps.Count);
        var worst = flashes.Zip(beeps, (f, b) => Math.Abs(f - b)).Max();
        output.WriteLine(FormattableString.Invariant($"flash to beep: at most {worst * 1000:0.0} ms apart over {flashes.Count} flashes"));
        Assert.True(worst <= 1.0 / Rate, FormattableString.Invariant($"picture and sound {worst * 1000:0} ms apart"));
    }

    [Fact]
    public async Task Farm_LongWholeSourceOutput_RenderedInPartsByAnyWorker_Joined_PartsCleanedUp()
    {
        await using var farm = new InProcessFarm(new Dictionary<string, string?>
        {
            ["Media:JobApi:RenderChunkAfterSeconds"] = "8",
            ["Media:JobApi:RenderChunkSeconds"] = "6",
            // Parts side by side, each slot's ffmpeg on its own core (on a machine with fewer cores than slots: not pinned).
            ["Media:Worker:PinSlots"] = "true",
        });
        await farm.InitializeAsync();
        var clip = Path.Combine(_folder, "twelve.mp4");
        await MakeSourceAsync(clip, 12);
        var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
        var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = """
                apiVersion: media.farm/v1
                kind: Pattern
                name: long-normalize
                outputs: [{ name: wide, preset: youtube }]
                steps:
                  - reframe: { mode: fit }
                  - loudness: { target: -16 }
                  - text: { text: "Part of the whole", start: 4, end: 8 }
                """,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([(0.0, 6.0), (6, 12)], parts.Where(p => !p.Id.EndsWith(".sound", StringComparison.Ordinal)).Select(p => (p.RangeStartSeconds, p.RangeEndSeconds)));
        Assert.Single(parts, p => p.Id.EndsWith(".sound", StringComparison.Ordinal));
        var render = job.Stages.Single(s => s.Kind == StageKind.Render);
        Assert.All(parts, p => Assert.True(p.FinishedAt.ToDateTimeOffset() <= render.StartedAt.ToDateTimeOffset()));

        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        var wide = files.Single(f => f.EndsWith("wide.mp4", StringComparison.Ordinal));
        var times = await FrameTimesAsync(wide);
        Assert.Equal(12 * Rate, times.Count);
        Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));
        Assert.Equal((1920, 1080, "h264", "aac"), await ProbeAsync(wide));
        Assert.Equal(-16, await TestMedia.LoudnessAsync(wide), 1.0);
        // The parts were the job's scratch, not its outputs: nothing of them is left in storage.
        Assert.DoesNotContain(job.Outputs, o => o.Name.Contains("part", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(farm.DataDirectory, "*.part0*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(farm.DataDirectory, "*.sound*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Farm_LongTrimmedOutput_RenderedInParts_EachFlashWithItsBeepWhereTheTrimPutsIt()
    {
        await using var farm = new InProcessFarm(new Dictionary<string, string?>
        {
            ["Media:JobApi:RenderChunkAfterSeconds"] = "8",
            ["Media:JobApi:RenderChunkSeconds"] = "6",
        });
        await farm.InitializeAsync();
        var clip = Path.Combine(_folder, "twelve.mp4");
        await MakeSourceAsync(clip, 12);
        var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
        var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = """
                apiVersion: media.farm/v1
                kind: Pattern
                name: long-trim
                outputs: [{ name: wide, preset: youtube }]
                steps:
                  - trim: { start: 1.52, end: 11.4 }
                  - reframe: { mode: fit }
                  - text: { text: "Trimmed in parts", start: 2, end: 5 }
                """,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        // The trim's 9.88 s in two parts (the second ends on the GOP grid after the output's end) and the sound.
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([(0.0, 6.0), (6, 10)], parts.Where(p => !p.Id.EndsWith(".sound", StringComparison.Ordinal)).Select(p => (p.RangeStartSeconds, p.RangeEndSeconds)));
        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        var wide = files.Single(f => f.EndsWith("wide.mp4", StringComparison.Ordinal));
        var times = await FrameTimesAsync(wide);
        Assert.Equal(296, times.Count);
        Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));

        // Source seconds 2..11 flash (and beep) at output time s - 1.52.
        var flashes = await FlashStartsAsync(wide);
        var beeps = await BeepStartsAsync(wide);
        Assert.Equal(10, flashes.Count);
        Assert.All(flashes.Select((f, i) => (f, i)), f => Assert.True(Math.Abs(f.f - (f.i + 2 - 1.52)) <= (1.0 / Rate) + 1e-3, $"flash {f.i} at {f.f} s"));
        Assert.Equal(10, beeps.Count);
        Assert.All(flashes.Zip(beeps), p => Assert.True(Math.Abs(p.First - p.Second) <= 1.0 / Rate, $"flash at {p.First} s, beep at {p.Second} s"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task<(int, int, string, string)> ProbeAsync(string path)
    {
        var probe = await TestMedia.ProbeAsync(path);
        return (probe.Width, probe.Height, probe.VideoCodec, probe.AudioCodec);
    }

    // A moving test pattern at 25 fps (so the render converts the rate) with a white frame at every whole second, and a
    // 1 kHz beep of 40 ms starting at every whole second.
    private static Task MakeSourceAsync(string path, double seconds) => TestMedia.FFmpegAsync(
        "-f", "lavfi", "-i", FormattableString.Invariant($"testsrc2=size=640x360:rate=25:duration={seconds}"),
        "-f", "lavfi", "-i", FormattableString.Invariant($"aevalsrc=if(lt(mod(t\\,1)\\,0.04)\\,0.5*sin(2*PI*1000*t)\\,0):s=48000:d={seconds}"),
        "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t,1),0.04)'",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", path);

    // Presentation times of the video frames, in order.
    private static async Task<List<double>> FrameTimesAsync(string path)
    {
        var result = await TestMedia.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "json", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return [.. json.RootElement.GetProperty("frames").EnumerateArray().Select(f => double.Parse(f.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture))];
    }

    private async Task<List<double>> PsnrPerFrameAsync(string reference, string other)
    {
        var stats = Path.Combine(_folder, "psnr.log");
        await TestMedia.FFmpegAsync("-i", other, "-i", reference, "-lavfi", $"[0:v][1:v]psnr=stats_file={stats}", "-f", "null", "-");
        return [.. File.ReadAllLines(stats).Select(l => l.Split(' ').First(f => f.StartsWith("psnr_avg:", StringComparison.Ordinal))["psnr_avg:".Length..])
            .Select(v => v == "inf" ? 99 : double.Parse(v, CultureInfo.InvariantCulture))];
    }

    // When the picture turns white (mean luma over 200 after a darker frame).
    private async Task<List<double>> FlashStartsAsync(string path)
    {
        var log = Path.Combine(_folder, "luma.log");
        await TestMedia.FFmpegAsync("-i", path, "-vf", $"signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file={log}", "-an", "-f", "null", "-");
        var starts = new List<double>();
        var (time, wasWhite) = (0.0, false);
        foreach (var line in File.ReadAllLines(log))
        {
            if (line.StartsWith("frame:", StringComparison.Ordinal))
            {
                time = double.Parse(line[(line.IndexOf("pts_time:", StringComparison.Ordinal) + 9)..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("lavfi.signalstats.YAVG=", StringComparison.Ordinal))
            {
                var white = double.Parse(line["lavfi.signalstats.YAVG=".Length..], CultureInfo.InvariantCulture) > 200;
                if (white && !wasWhite)
                {
                    starts.Add(time);
                }

                wasWhite = white;
            }
        }

        return starts;
    }

    // When the sound goes from silence to the beep (a sample over 0.05 after at least 0.3 s below it: a cut may bring two
    // beeps 0.5 s apart).
    private async Task<List<double>> BeepStartsAsync(string path)
    {
        var raw = Path.Combine(_folder, "sound.f32");
        await TestMedia.FFmpegAsync("-i", path, "-vn", "-ac", "1", "-ar", "48000", "-f", "f32le", raw);
        var bytes = await File.ReadAllBytesAsync(raw);
        var starts = new List<double>();
        var quiet = int.MaxValue / 2;
        for (var i = 0; i < bytes.Length / 4; i++)
        {
            var loud = Math.Abs(BitConverter.ToSingle(bytes, i * 4)) > 0.05;
            if (loud && quiet >= 14400)
            {
                starts.Add(i / 48000.0);
            }

            quiet = loud ? 0 : quiet + 1;
        }

        return starts;
    }
}
