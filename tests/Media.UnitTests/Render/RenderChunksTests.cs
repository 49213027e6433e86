using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

/// <summary>A long output's parts: ranges on the GOP grid, what may be split, the part's graph, and the join's check.</summary>
public sealed class RenderChunksTests
{
    private static RenderPlan Whole(double seconds) => new()
    {
        OutputName = "o",
        Width = 1920,
        Height = 1080,
        Reframe = ReframeMode.Fit,
        Preset = EncodePreset.YouTube,
        Segments = [new PlannedSegment(0, seconds, 1)],
        SourceHasAudio = true,
        GainDb = 2,
    };

    // source seconds, after, part seconds -> ranges
    [Theory]
    [InlineData(600, 600, 120, "")]
    [InlineData(605, 600, 120, "0-120 120-240 240-360 360-480 480-600 600-606")]
    [InlineData(601, 600, 120, "0-120 120-240 240-360 360-480 480-602")]
    [InlineData(50, 40, 12, "0-12 12-24 24-36 36-48 48-50")]
    [InlineData(50, 0, 12, "")]
    [InlineData(60.02, 30, 20, "0-20 20-40 40-62")]
    [InlineData(900, 600, 1000, "")]
    public void Ranges_OnTheTwoSecondGrid_LastEndsAtTheSourceRoundedUp(double source, double after, double seconds, string expected)
    {
        var ranges = RenderChunks.Ranges(source, after, seconds);

        Assert.Equal(expected, string.Join(' ', ranges.Select(r => FormattableString.Invariant($"{r.Start}-{r.End}"))));
    }

    [Fact]
    public void Chunkable_AnyEdit_WithOrWithoutBookends_NotAStreamCopy()
    {
        Assert.True(RenderChunks.Chunkable(Whole(60)));
        // Cut plans: their pieces sit on the output's frame grid (CutGrid), so a part renders the single render's frames.
        Assert.True(RenderChunks.Chunkable(Whole(60) with { Segments = [new PlannedSegment(0, 20, 1), new PlannedSegment(25, 60, 1.2)] }));
        Assert.True(RenderChunks.Chunkable(Whole(60) with { Segments = [new PlannedSegment(5, 60, 1)] }));
        Assert.True(RenderChunks.Chunkable(Whole(60) with { Speed = 1.5 }));
        Assert.False(RenderChunks.Chunkable(Whole(60) with { StreamCopy = true }));
        // The parts are the edit's; the intro's and outro's pictures are two more files around them.
        Assert.True(RenderChunks.Chunkable(Whole(60) with { Intro = new PlannedBookend("intro.mp4", 3, true) }));
        Assert.True(RenderChunks.Chunkable(Whole(60) with { Outro = new PlannedBookend("outro.mp4", 3, false) }));
    }

    [Fact]
    public void VideoPart_SeeksBeforeItsRange_PutsTheSourceClockBack_CutsOnTheOutputGrid_NoSound()
    {
        var arguments = RenderCommandBuilder.BuildVideoPart(Whole(100), "in.mp4", "part.mp4", 40, 60).ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();

        Assert.Equal(["-ss", "39"], arguments.SkipWhile(a => a != "-ss").Take(2));
        Assert.StartsWith("[0:v:0]setpts=expr=PTS+39/TB[vs];[vs]scale=", graph, StringComparison.Ordinal);
        Assert.EndsWith("fps=fps=30,tpad=stop_mode=clone:stop_duration=0.1,format=pix_fmts=yuv420p,trim=start=40:end=60,setpts=expr=PTS-STARTPTS[v]", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("0:a", graph, StringComparison.Ordinal);
        Assert.Contains("-an", arguments);
        Assert.Equal(["-g", "60"], arguments.SkipWhile(a => a != "-g").Take(2));

        Assert.Throws<ArgumentOutOfRangeException>(() => RenderCommandBuilder.BuildVideoPart(Whole(100), "in.mp4", "part.mp4", 90, 102));
        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.BuildVideoPart(Whole(100) with { StreamCopy = true }, "in.mp4", "part.mp4", 0, 20));
    }

    [Fact]
    public void VideoPart_SpedUp_SeeksToItsRangeInSourceTime_SpeedBeforeTheFrameRate()
    {
        // Output 20-30 s of a plan at 2x shows source 40-60 s: read from 39 s, timestamps halved on the source's clock.
        var arguments = RenderCommandBuilder.BuildVideoPart(Whole(100) with { Speed = 2 }, "in.mp4", "part.mp4", 20, 30).ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();

        Assert.Equal(["-ss", "39"], arguments.SkipWhile(a => a != "-ss").Take(2));
        Assert.StartsWith("[0:v:0]setpts=expr=PTS+39/TB[vs];", graph, StringComparison.Ordinal);
        Assert.Contains("setpts=expr=PTS/2,fps=fps=30,", graph, StringComparison.Ordinal);
        Assert.EndsWith("trim=start=20:end=30,setpts=expr=PTS-STARTPTS[v]", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void VideoPart_CutPlan_OnlyThePiecesItShows_EachReadFromALeadBeforeItsFrames_OnTheOutputsClock()
    {
        // Pieces 10-40 s (frames 0-900) and 50-80 s at 1.5x (frames 900-1500); the part 28-32 s is frames 840-960:
        // the first piece's local frames 840-900 (source 38-40 s, read from 37 s), the second's 0-60 (source 50-53 s, read from 49 s).
        var plan = Whole(100) with { Segments = [new PlannedSegment(10, 40, 1), new PlannedSegment(50, 80, 1) { Speed = 1.5 }] };
        var arguments = RenderCommandBuilder.BuildVideoPart(plan, "in.mp4", "part.mp4", 28, 32).ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();

        Assert.Equal(["-ss", "36"], arguments.SkipWhile(a => a != "-ss").Take(2));
        Assert.StartsWith("[0:v:0]setpts=expr=PTS+36/TB[vs];", graph, StringComparison.Ordinal);
        Assert.Contains("[vs0]trim=start=37:end=40,setpts=expr=PTS-10/TB,fps=fps=30,tpad=stop_mode=clone:stop_duration=0.1,trim=start_pts=840:end_pts=900,setpts=expr=PTS-STARTPTS[vc0];", graph, StringComparison.Ordinal);
        Assert.Contains("[vs1]trim=start=49:end=54,setpts=expr=(PTS-50/TB)/1.5,fps=fps=30:start_time=0,tpad=stop_mode=clone:stop_duration=0.1,trim=end_pts=60,setpts=expr=PTS-STARTPTS[vc1];", graph, StringComparison.Ordinal);
        // On the output's clock from 28 s before the titles and captions; cut to the part; no second speed change.
        Assert.Contains("[vc0][vc1]concat=n=2:v=1:a=0[cv];[cv]setpts=expr=PTS+28/TB[vp];[vp]fps=fps=30,", graph, StringComparison.Ordinal);
        Assert.EndsWith("trim=start=28:end=32,setpts=expr=PTS-STARTPTS[v]", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("0:a", graph, StringComparison.Ordinal);

        // A part inside one piece runs that piece alone.
        var inside = RenderCommandBuilder.BuildVideoPart(plan, "in.mp4", "part.mp4", 4, 8).ToArguments().SkipWhile(a => a != "-filter_complex").Skip(1).First();
        Assert.DoesNotContain("split", inside, StringComparison.Ordinal);
        Assert.Contains("[vr]trim=start=13:end=19,setpts=expr=PTS-10/TB,fps=fps=30,", inside, StringComparison.Ordinal);
    }

    [Fact]
    public void AudioPass_TheWholeSoundPathOnce()
    {
        var arguments = RenderCommandBuilder.BuildAudioPass(Whole(100), "in.mp4", "sound.m4a").ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();

        Assert.Equal("[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0[at];[at]volume=volume=2dB,alimiter=limit=1:attack=5:release=50:level=0,aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=100[a]", graph);
        Assert.Equal(["-t", "100", "-vn", "-c:a", "aac"], arguments.SkipWhile(a => a != "-t").Take(5));
    }

    [Fact]
    public void AudioPass_WithBookends_TheirSoundAroundTheEdits_TheWholeLength()
    {
        var plan = Whole(100) with { Intro = new PlannedBookend("k/intro.mp4", 1.5, false), Outro = new PlannedBookend("k/outro.mp4", 2.01, true) };
        var arguments = RenderCommandBuilder.BuildAudioPass(plan, "in.mp4", "sound.m4a", new RenderAssets { IntroPath = "/w/intro.mp4", OutroPath = "/w/outro.mp4" }).ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();

        // The edit's sound as without bookends (gain, limiter), the intro's silence (it has no sound) and the outro's sound,
        // each cut to its whole frames (2.01 s is 60 frames at 30 fps: 2 s), in the single render's order.
        Assert.Contains("atrim=duration=100[ma]", graph, StringComparison.Ordinal);
        Assert.Contains("[2:a]atrim=duration=1.5,aresample", graph, StringComparison.Ordinal);
        Assert.Contains("[3:a:0]aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=2,", graph, StringComparison.Ordinal);
        Assert.EndsWith("[ina][ma][outa]concat=n=3:v=0:a=1[a]", graph, StringComparison.Ordinal);
        Assert.Equal(["in.mp4", "/w/intro.mp4", "anullsrc=r=48000:cl=stereo", "/w/outro.mp4"], arguments.Where((_, i) => i > 0 && arguments[i - 1] == "-i"));
        Assert.Equal(["-t", "103.5", "-vn"], arguments.SkipWhile(a => a != "-t").Take(3));
        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.BuildAudioPass(plan, "in.mp4", "sound.m4a"));
    }

    [Fact]
    public void BookendPart_FittedAsTheSingleRenderFitsIt_ThePartsEncoder_NoSound()
    {
        var intro = new PlannedBookend("k/intro.mp4", 1.5, true);
        var plan = Whole(100) with { Intro = intro };
        var arguments = RenderCommandBuilder.BuildBookendPart(plan, intro, "/w/intro.mp4", "intro-part.mp4").ToArguments();
        var graph = arguments.SkipWhile(a => a != "-filter_complex").Skip(1).First();
        var single = RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", new RenderAssets { IntroPath = "/w/intro.mp4" }).ToArguments();
        var part = RenderCommandBuilder.BuildVideoPart(plan, "in.mp4", "part.mp4", 0, 12).ToArguments();

        Assert.Equal(["-i", "/w/intro.mp4"], arguments.SkipWhile(a => a != "-i").Take(2));
        Assert.StartsWith("[0:v:0]scale=w=1920:h=1080:force_original_aspect_ratio=decrease", graph, StringComparison.Ordinal);
        Assert.EndsWith("tpad=stop_mode=clone:stop_duration=1.5,trim=duration=1.5,setpts=expr=PTS-STARTPTS[v]", graph, StringComparison.Ordinal);
        // The same chain as in the single render's graph, and the same encoder settings as the edit's parts.
        Assert.Contains(graph["[0:v:0]".Length..^"[v]".Length], single.SkipWhile(a => a != "-filter_complex").Skip(1).First(), StringComparison.Ordinal);
        Assert.Equal(part.SkipWhile(a => a != "-c:v").TakeWhile(a => a != "-an"), arguments.SkipWhile(a => a != "-c:v").TakeWhile(a => a != "-an"));
        Assert.Contains("-an", arguments);
        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.BuildBookendPart(plan, new PlannedBookend("k/other.mp4", 1, true), "/w/other.mp4", "o.mp4"));
        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.BuildBookendPart(plan with { StreamCopy = true }, intro, "/w/intro.mp4", "o.mp4"));
    }

    [Fact]
    public void Join_CopiesPartsAndSound_FromAListOfQuotedPaths()
    {
        var list = RenderCommandBuilder.ConcatList(["/w/in-a.mp4", "/w/it's.mp4"]);
        var arguments = RenderCommandBuilder.BuildJoin("/w/parts.ffconcat", "/w/sound.m4a", "/w/out.mp4").ToArguments();

        Assert.Equal("ffconcat version 1.0\nfile '/w/in-a.mp4'\nfile '/w/it'\\''s.mp4'\n", list);
        Assert.Equal(["-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", "/w/parts.ffconcat"], arguments.SkipWhile(a => a != "-protocol_whitelist").Take(8));
        Assert.Equal(["-c", "copy"], arguments.SkipWhile(a => a != "-c").Take(2));
    }

    [Fact]
    public void Cover_EveryPartOfThisPlan_InOrder_ToTheEnd()
    {
        RenderPartManifest Part(double start, double end, string plan = "p", bool video = true, bool splittable = true) => new(plan, splittable, start, end, video);
        var sound = new RenderPartManifest("p", true, 0, 30, false, Sound: true);

        Assert.True(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30), Part(36, 36, video: false), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30)], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30), sound, sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30), sound with { PlanSha256 = "q" }], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24, plan: "q"), Part(24, 30), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(24, 30), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 0, video: false, splittable: false), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([], "p", 30));
        // With bookends: the intro's picture from the first part, the outro's from the last with video, no others.
        Assert.True(RenderPartManifest.Cover([Part(0, 12) with { Intro = true }, Part(12, 24), Part(24, 30) with { Outro = true }, Part(36, 36, video: false), sound], "p", 30, intro: true, outro: true));
        Assert.True(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30) with { Outro = true }, sound], "p", 30, outro: true));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24), Part(24, 30), sound], "p", 30, intro: true));
        Assert.False(RenderPartManifest.Cover([Part(0, 12), Part(12, 24) with { Outro = true }, Part(24, 30), sound], "p", 30, outro: true));
        Assert.False(RenderPartManifest.Cover([Part(0, 12) with { Intro = true }, Part(12, 24), Part(24, 30), sound], "p", 30));
        Assert.False(RenderPartManifest.Cover([Part(0, 12) with { Intro = true }, Part(12, 24) with { Intro = true }, Part(24, 30), sound], "p", 30, intro: true));
        Assert.Equal(Part(0, 12), RenderPartManifest.FromJson(Part(0, 12).ToJson()));
        Assert.Equal(sound, RenderPartManifest.FromJson(sound.ToJson()));
        Assert.True(RenderChunks.IsPartOf("j.render.o", RenderChunks.SoundStageId("j.render.o")));
        Assert.Equal("t/parts/j.render.o.sound.m4a", RenderChunks.MediaKey("t", "j.render.o.sound"));
        Assert.Equal("t/parts/j.render.o.part01.mp4", RenderChunks.MediaKey("t", RenderChunks.PartStageId("j.render.o", 1)));
        Assert.Equal("t/parts/j.render.o.part01.intro.mp4", RenderChunks.BookendKey("t", RenderChunks.PartStageId("j.render.o", 1), "intro"));
        Assert.Equal(Part(0, 12) with { Outro = true }, RenderPartManifest.FromJson((Part(0, 12) with { Outro = true }).ToJson()));
    }
}
