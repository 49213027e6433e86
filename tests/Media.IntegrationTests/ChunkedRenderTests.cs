using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    // An edit between an intro (blue, its picture 1.6 s and its quiet hum 2 s: a file is as long as its longest stream) and
    // an outro (1.5 s at 24 fps, of another shape, no sound: the render makes its silence): the parts are the edit's, the
    // first part also renders the intro's picture and the last the outro's, the sound pass has all three sounds.
    [Fact]
    public async Task BookendedPartsJoined_AreTheSingleRender_FrameForFrame_InSyncAtEveryJoin()
    {
        var intro = Path.Combine(_folder, "intro.mp4");
        var outro = Path.Combine(_folder, "outro.mp4");
        // With a chapter mark (as exported films have): not the output's to carry.
        var chapters = Path.Combine(_folder, "chapters.txt");
        await File.WriteAllTextAsync(chapters, ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1600\ntitle=Opening\n");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=blue:s=640x360:r=25:d=1.6", "-f", "lavfi", "-i", "sine=frequency=110:duration=2:sample_rate=44100,volume=0.01", "-i", chapters, "-map", "0", "-map", "1", "-map_chapters", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", intro);
        Assert.Single(await ChaptersAsync(intro));
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=1.5", "-c:v", "libx264", "-pix_fmt", "yuv420p", outro);
        // As the farm plans them: each as long as the file.
        var (introProbe, outroProbe) = (await TestMedia.ProbeAsync(intro), await TestMedia.ProbeAsync(outro));
        Assert.Equal(2, introProbe.DurationSeconds, 1);
        var plan = Plan([new PlannedSegment(0, Seconds, 1)], 1) with
        {
            Intro = new PlannedBookend("k/intro.mp4", introProbe.DurationSeconds, true),
            Outro = new PlannedBookend("k/outro.mp4", outroProbe.DurationSeconds, false),
        };

        // The edit's flashes (and beeps) after the intro's whole length, its sound's, not its picture's.
        var edit = WholeFrames(plan.Intro);
        await AssertPartsAreTheSingleRenderAsync(plan, 5, [.. Enumerable.Range(0, (int)Seconds).Select(s => s + edit)], new RenderAssets { IntroPath = intro, OutroPath = outro });
        Assert.Empty(await ChaptersAsync(Path.Combine(_folder, "single.mp4")));
        Assert.Empty(await ChaptersAsync(Path.Combine(_folder, "joined.mp4")));
    }

    // The chapter marks' titles a file carries.
    private static async Task<List<string>> ChaptersAsync(string path)
    {
        var result = await TestMedia.RunAsync("ffprobe", ["-v", "error", "-show_chapters", "-of", "json", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return [.. json.RootElement.GetProperty("chapters").EnumerateArray().Select(c => c.TryGetProperty("tags", out var tags) && tags.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "")];
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

    private async Task AssertPartsAreTheSingleRenderAsync(RenderPlan plan, int partCount, IReadOnlyList<double> expectedFlashes, RenderAssets? bookends = null)
    {
        var written = await RenderFiles.WriteAsync(plan, _folder, FontLocator.Find(null), CancellationToken.None);
        var assets = written.Assets with { IntroPath = bookends?.IntroPath, OutroPath = bookends?.OutroPath };

        var single = Path.Combine(_folder, "single.mp4");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.Build(plan, _source, single, assets).ToArguments()]);

        var parts = new List<string>();
        var length = RenderCommandBuilder.MainLength(plan);
        foreach (var (range, i) in RenderChunks.Ranges(length, 8, 4).Select((r, i) => (r, i)))
        {
            var part = Path.Combine(_folder, $"part{i}.mp4");
            await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildVideoPart(plan, _source, part, range.Start, Math.Min(range.End, length), assets).ToArguments()]);
            parts.Add(part);
        }

        Assert.Equal(partCount, parts.Count);
        foreach (var (bookend, path, first) in new[] { (plan.Intro, assets.IntroPath, true), (plan.Outro, assets.OutroPath, false) }.Where(b => b.Item1 is not null))
        {
            var picture = Path.Combine(_folder, first ? "intro-part.mp4" : "outro-part.mp4");
            await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildBookendPart(plan, bookend!, path!, picture).ToArguments()]);
            parts.Insert(first ? 0 : parts.Count, picture);
        }

        var sound = Path.Combine(_folder, "sound.m4a");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildAudioPass(plan, _source, sound, assets).ToArguments()]);
        var list = Path.Combine(_folder, "parts.ffconcat");
        await File.WriteAllTextAsync(list, RenderCommandBuilder.ConcatList(parts));
        var joined = Path.Combine(_folder, "joined.mp4");
        await TestMedia.FFmpegAsync([.. RenderCommandBuilder.BuildJoin(list, sound, joined).ToArguments()]);

        var (singleTimes, joinedTimes) = (await FrameTimesAsync(single), await FrameTimesAsync(joined));
        // Every frame once, on the 30 fps grid, no gap or repeat at a join: the same timestamps as the single render.
        Assert.Equal((int)Math.Round((length + WholeFrames(plan.Intro) + WholeFrames(plan.Outro)) * Rate), joinedTimes.Count);
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

    private const string WholeSourcePattern = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: long-normalize
        outputs: [{ name: wide, preset: youtube }]
        steps:
          - reframe: { mode: fit }
          - loudness: { target: -16 }
          - text: { text: "Part of the whole", start: 4, end: 8 }
        """;

    [Fact]
    public async Task Farm_LongWholeSourceOutput_RenderedInPartsByAnyWorker_Joined_PartsCleanedUp()
    {
        // Parts side by side, each slot's ffmpeg on its own core (on a machine with fewer cores than slots: not pinned).
        var (farm, job) = await RenderOnFarmAsync(WholeSourcePattern, new() { ["Media:Worker:PinSlots"] = "true" });
        await using var _ = farm;

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
        AssertNoPartsLeft(farm, job);
    }

    [Fact]
    public async Task Farm_LongOutputInTwoShapes_EachPartRendersBoth_EachShapeJoinedInSync()
    {
        var (farm, job) = await RenderOnFarmAsync("""
            apiVersion: media.farm/v1
            kind: Pattern
            name: long-shapes
            outputs: [{ name: wide, preset: youtube }, { name: square, preset: youtube, aspect: '1:1' }]
            steps:
              - reframe: { mode: center }
              - text: { text: "Both shapes", start: 4, end: 8 }
            """);
        await using var _ = farm;

        // Two video parts, each rendering its range of both shapes from one decode, and each shape's own sound.
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).Select(s => s.Id[(job.Id.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["render.square.sound", "render.wide.part01", "render.wide.part02", "render.wide.sound"], parts);
        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        foreach (var (shape, size) in new[] { ("wide", (1920, 1080)), ("square", (1080, 1080)) })
        {
            var video = files.Single(f => f.EndsWith(shape + ".mp4", StringComparison.Ordinal));
            var times = await FrameTimesAsync(video);
            Assert.Equal(12 * Rate, times.Count);
            Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));
            Assert.Equal((size.Item1, size.Item2, "h264", "aac"), await ProbeAsync(video));
            await AssertFlashesWithBeepsAsync(video, [.. Enumerable.Range(0, 12).Select(s => (double)s)]);
        }

        AssertNoPartsLeft(farm, job);
    }

    [Fact]
    public async Task Farm_LongTrimmedOutput_RenderedInParts_EachFlashWithItsBeepWhereTheTrimPutsIt()
    {
        var (farm, job) = await RenderOnFarmAsync("""
            apiVersion: media.farm/v1
            kind: Pattern
            name: long-trim
            outputs: [{ name: wide, preset: youtube }]
            steps:
              - trim: { start: 1.52, end: 11.4 }
              - reframe: { mode: fit }
              - text: { text: "Trimmed in parts", start: 2, end: 5 }
            """);
        await using var _ = farm;

        // The trim's 9.88 s in two parts (the second ends on the GOP grid after the output's end) and the sound.
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([(0.0, 6.0), (6, 10)], parts.Where(p => !p.Id.EndsWith(".sound", StringComparison.Ordinal)).Select(p => (p.RangeStartSeconds, p.RangeEndSeconds)));
        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        var wide = files.Single(f => f.EndsWith("wide.mp4", StringComparison.Ordinal));
        var times = await FrameTimesAsync(wide);
        Assert.Equal(296, times.Count);
        Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));

        // Source seconds 2..11 flash (and beep) at output time s - 1.52.
        await AssertFlashesWithBeepsAsync(wide, [.. Enumerable.Range(2, 10).Select(s => s - 1.52)]);
        AssertNoPartsLeft(farm, job);
    }

    [Fact]
    public async Task Farm_RevisionOfALongOutput_RenderedInParts_TheClientsCutAndTextInIt()
    {
        var (farm, job) = await RenderOnFarmAsync(WholeSourcePattern);
        await using var _ = farm;

        // The studio cuts source seconds 3-5 out of the 12 s edit and retitles it: a 10 s revision.
        var (revision, json) = await farm.Client.GetEditPlanAsync(job.Id, "wide");
        var plan = JsonNode.Parse(json)!;
        var whole = plan["ranges"]!.AsArray().Single()!;
        var after = whole.DeepClone();
        whole["end"] = 3.0;
        after["start"] = 5.0;
        plan["ranges"]!.AsArray().Add(after);
        plan["texts"]![0]!["text"] = "Cut in a revision";
        var revising = await farm.Client.ReviseOutputAsync(job.Id, "wide", revision, plan.ToJsonString());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        job = await farm.Client.WaitAsync(revising.Id, null, timeout.Token);
        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        Assert.DoesNotContain(job.Warnings, w => w.Code == RenderChunks.PartsUnusedWarning);

        // Its own parts (the revised plan's 10 s: two on the 6 s grid) and sound, before its render joined them; nothing
        // probed or analysed again.
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk && s.OutputName == "wide.r2").OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([(0.0, 6.0), (6, 10)], parts.Where(p => !p.Id.EndsWith(".sound", StringComparison.Ordinal)).Select(p => (p.RangeStartSeconds, p.RangeEndSeconds)));
        Assert.Single(parts, p => p.Id == $"{job.Id}.render.wide.r2.sound");
        var render = job.Stages.Single(s => s.Kind == StageKind.Render && s.OutputName == "wide.r2");
        Assert.All(parts, p => Assert.True(p.State == StageState.Succeeded && p.FinishedAt.ToDateTimeOffset() <= render.StartedAt.ToDateTimeOffset(), $"{p.Id}: {p.State}"));
        Assert.Single(job.Stages, s => s.Kind == StageKind.Probe);
        Assert.Single(job.Stages, s => s.Kind == StageKind.Analyze);

        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        var revised = files.Single(f => f.EndsWith("wide.r2.mp4", StringComparison.Ordinal));
        var times = await FrameTimesAsync(revised);
        Assert.Equal(10 * Rate, times.Count);
        Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));
        // Source seconds 0-2 flash where they were, 5-11 two seconds earlier: the cut is in the picture and the sound alike.
        await AssertFlashesWithBeepsAsync(revised, [0, 1, 2, .. Enumerable.Range(5, 7).Select(s => s - 2.0)]);
        var stored = JsonNode.Parse((await farm.Client.GetEditPlanAsync(job.Id, "wide", 2)).Json)!;
        Assert.Equal("Cut in a revision", stored["texts"]![0]!["text"]!.GetValue<string>());
        AssertNoPartsLeft(farm, job);
    }

    // A bookend's length on the output: its whole frames at the output's rate.
    private static double WholeFrames(PlannedBookend? bookend) => bookend is null ? 0 : Math.Floor((bookend.DurationSeconds * Rate) + 1e-6) / Rate;

    [Fact]
    public async Task Farm_LongEditBetweenIntroAndOutro_RenderedInParts_TheBookendsAroundIt_InSync()
    {
        var intro = Path.Combine(_folder, "intro.mp4");
        var outro = Path.Combine(_folder, "outro.mp4");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=blue:s=640x360:r=25:d=1.5", "-c:v", "libx264", "-pix_fmt", "yuv420p", intro);
        // The outro's picture ends 0.5 s before its (silent) sound: the file, and the outro, is 2 s.
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=red:s=320x240:r=24:d=1.5", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", outro);
        var (farm, job) = await RenderOnFarmAsync(
            """
            apiVersion: media.farm/v1
            kind: Pattern
            name: long-bookends
            outputs: [{ name: wide, preset: youtube }]
            steps:
              - reframe: { mode: fit }
              - intro: { source: "{{intro}}" }
              - outro: { source: "{{outro}}" }
            """,
            parameters: async client => new Dictionary<string, string>
            {
                ["intro"] = "blob:" + (await client.UploadFileAsync(intro, null, CancellationToken.None)).Key,
                ["outro"] = "blob:" + (await client.UploadFileAsync(outro, null, CancellationToken.None)).Key,
            });
        await using var _ = farm;

        // The edit's 12 s in two parts and the sound; the bookends came with the first and the last part.
        var parts = job.Stages.Where(s => s.Kind == StageKind.RenderChunk).OrderBy(s => s.RangeStartSeconds).ToList();
        Assert.Equal([(0.0, 6.0), (6, 12)], parts.Where(p => !p.Id.EndsWith(".sound", StringComparison.Ordinal)).Select(p => (p.RangeStartSeconds, p.RangeEndSeconds)));
        var files = await farm.Client.DownloadOutputsAsync(job, Path.Combine(_folder, "out"), CancellationToken.None);
        var wide = files.Single(f => f.EndsWith("wide.mp4", StringComparison.Ordinal));
        var times = await FrameTimesAsync(wide);
        Assert.Equal((int)Math.Round((1.5 + 12 + 2) * Rate), times.Count);
        Assert.All(times.Select((t, i) => (t, i)), f => Assert.Equal(f.i / (double)Rate, f.t, 3));
        var (video, audio) = await TestMedia.StreamDurationsAsync(wide);
        Assert.Equal(15.5, video, 2);
        Assert.Equal(15.5, audio, 2);

        // The intro's blue first, the outro's red last (fitted into 16:9; its last frame held to the end of its sound),
        // and every flash 1.5 s late with its beep.
        Assert.Equal("blue", await ColourAtAsync(wide, 0.5));
        Assert.Equal("red", await ColourAtAsync(wide, 14));
        Assert.Equal("red", await ColourAtAsync(wide, 15.4));
        await AssertFlashesWithBeepsAsync(wide, [.. Enumerable.Range(0, 12).Select(s => s + 1.5)]);
        AssertNoPartsLeft(farm, job);
    }

    [Fact]
    public async Task Farm_APartComesOutShort_TheOutputRenderedInOnePiece_TheJobSaysSo()
    {
        // 12 s long by its sound, but its picture ends at 10 s: the second part (6-12 s) comes out shorter than its range.
        var source = Path.Combine(_folder, "short-picture.mp4");
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=12", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", source);
        var (farm, job) = await RenderOnFarmAsync(WholeSourcePattern, source: source, expectOnePiece: true);
        await using var _ = farm;

        Assert.Equal(3, job.Stages.Count(s => s.Kind == StageKind.RenderChunk && s.State == StageState.Succeeded));
        var warning = Assert.Single(job.Warnings, w => w.Code == RenderChunks.PartsUnusedWarning);
        Assert.Contains("'wide'", warning.Message, StringComparison.Ordinal);
        Assert.Contains(job.Outputs, o => o.Name == "wide.mp4" && o.DurationSeconds > 9);
        AssertNoPartsLeft(farm, job);
    }

    // The 12 s flash-and-beep source rendered with this pattern on a farm that renders outputs over 8 s in parts of 6 s.
    private async Task<(InProcessFarm Farm, Job Job)> RenderOnFarmAsync(
        string pattern, Dictionary<string, string?>? overrides = null, Func<FarmClient, Task<Dictionary<string, string>>>? parameters = null, string? source = null, bool expectOnePiece = false)
    {
        var farm = new InProcessFarm(new Dictionary<string, string?>(overrides ?? [])
        {
            ["Media:JobApi:RenderChunkAfterSeconds"] = "8",
            ["Media:JobApi:RenderChunkSeconds"] = "6",
        });
        try
        {
            await farm.InitializeAsync();
            var clip = source ?? Path.Combine(_folder, "twelve.mp4");
            if (source is null)
            {
                await MakeSourceAsync(clip, 12);
            }

            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, InlinePattern = pattern };
            request.Parameters.Add(parameters is null ? [] : await parameters(farm.Client));
            var job = await farm.Client.Jobs.SubmitJobAsync(request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);
            Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
            if (!expectOnePiece)
            {
                // Joined from the parts, not rendered again in one piece (which would give the same file, later).
                Assert.DoesNotContain(job.Warnings, w => w.Code == RenderChunks.PartsUnusedWarning);
            }

            return (farm, job);
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    // The parts are the job's scratch, not its outputs: nothing of them (videos, bookend pictures, sound) is left in storage
    // once joined.
    private static void AssertNoPartsLeft(InProcessFarm farm, Job job)
    {
        Assert.DoesNotContain(job.Outputs, o => o.Name.Contains("part", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(farm.DataDirectory, "*.part0*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(farm.DataDirectory, "*.sound*", SearchOption.AllDirectories));
    }

    // "blue", "red" or "other": the middle pixel of the frame shown at this time.
    private async Task<string> ColourAtAsync(string path, double seconds)
    {
        var pixel = Path.Combine(_folder, "pixel.rgb");
        await TestMedia.FFmpegAsync("-ss", seconds.ToString(CultureInfo.InvariantCulture), "-i", path, "-frames:v", "1", "-vf", "crop=2:2,scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", pixel);
        var rgb = await File.ReadAllBytesAsync(pixel);
        return (rgb[0], rgb[1], rgb[2]) switch
        {
            ( < 60, < 60, > 180) => "blue",
            ( > 180, < 60, < 60) => "red",
            _ => "other",
        };
    }

    // Each flash where the edit puts it and its beep with it (both within one frame).
    private async Task AssertFlashesWithBeepsAsync(string path, IReadOnlyList<double> expected)
    {
        var flashes = await FlashStartsAsync(path);
        var beeps = await BeepStartsAsync(path);
        Assert.Equal(expected.Count, flashes.Count);
        Assert.All(flashes.Zip(expected), f => Assert.True(Math.Abs(f.First - f.Second) <= (1.0 / Rate) + 1e-3, FormattableString.Invariant($"a flash at {f.First} s, expected at {f.Second} s")));
        Assert.Equal(expected.Count, beeps.Count);
        Assert.All(flashes.Zip(beeps), p => Assert.True(Math.Abs(p.First - p.Second) <= 1.0 / Rate, FormattableString.Invariant($"flash at {p.First} s, beep at {p.Second} s")));
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
