using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

/// <summary>Golden filter graphs of the pattern steps.</summary>
public sealed class RenderGraphTests
{
    private static RenderPlan Plan(params PlannedSegment[] segments) => new()
    {
        OutputName = "o",
        Width = 1080,
        Height = 1920,
        Reframe = ReframeMode.Center,
        Preset = EncodePreset.TikTok,
        Segments = segments,
        SourceHasAudio = true,
    };

    private static string Graph(RenderPlan plan, string? titles = null) =>
        RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", titles is null ? null : new RenderAssets { TitlesPath = titles, FontsDirectory = "/fonts" }).ToArguments().SkipWhile(a => a != "-filter_complex").Skip(1).First();

    // first piece's start -> where the source is read from: a whole second of lead before it, none near the start
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.9, 0.0)]
    [InlineData(2.3, 1.0)]
    [InlineData(3000.5, 2999.0)]
    public void LateEdit_ReadFromASecondBeforeItsFirstPiece_OnTheSourceClock(double start, double seek)
    {
        var plan = Plan(new(start, start + 4, 1), new(start + 6, start + 9, 1));

        var command = RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4");

        Assert.Equal(seek, RenderCommandBuilder.SourceSeek(plan));
        Assert.Equal(seek > 0 ? TimeSpan.FromSeconds(seek) : null, command.Inputs[0].Seek);
        var graph = command.Graph.Render();
        var n = FormattableString.Invariant($"{seek}");
        Assert.Equal(seek > 0, graph.StartsWith($"[0:v:0]setpts=expr=PTS+{n}/TB[vs];[vs]scale=", StringComparison.Ordinal));
        Assert.Equal(seek > 0, graph.Contains($"[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0,asetpts=expr=PTS+{n}/TB[at]", StringComparison.Ordinal));
        // The cuts keep their source times.
        Assert.Contains(FormattableString.Invariant($"trim=start={start}:end={start + 4}"), graph, StringComparison.Ordinal);
        // The audio check reads from the same place.
        Assert.Equal(command.Inputs[0].Seek, RenderCommandBuilder.BuildAudioCheck(plan, "in.mp4", "log").Inputs[0].Seek);
    }

    [Fact]
    public void JumpCuts_SplitTrimConcat_FrameAndSampleExact()
    {
        var graph = Graph(Plan(new(0.9, 5.1, 1), new(7.9, 9.1, 1.2)) with { GainDb = 6.5, PeakLimit = 0.8414 });

        // Each piece read from a second before its cut (the frame on screen at the cut fills its first frame), on its own
        // clock from its segment's start, at the output's rate, held to its frames on the output's grid (5.4 s = 162 frames: 4.2 s -> 126, the rest 36); the sound's pieces cut sample-exact at the same edit times.
        Assert.Equal(
            "[0:v:0]scale=w=1080:h=1920:force_original_aspect_ratio=increase,crop=w=1080:h=1920,setsar=sar=1[vr];"
            + "[vr]split=outputs=2[vs0][vs1];"
            + "[vs0]trim=start=0:end=5.1,setpts=expr=PTS-0.9/TB,fps=fps=30:start_time=0,tpad=stop_mode=clone:stop_duration=0.1,trim=end_pts=126,setpts=expr=PTS-STARTPTS[vc0];"
            + "[vs1]trim=start=6.9:end=9.1,setpts=expr=PTS-7.9/TB,fps=fps=30:start_time=0,tpad=stop_mode=clone:stop_duration=0.1,trim=end_pts=36,setpts=expr=PTS-STARTPTS,scale=w=1296:h=2304,crop=w=1080:h=1920[vc1];"
            + "[vc0][vc1]concat=n=2:v=1:a=0[cv];"
            + "[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0[at];"
            + "[at]asplit=outputs=2[as0][as1];"
            + "[as0]atrim=start=0.9:end=5.1,asetpts=expr=PTS-STARTPTS[ac0];[as1]atrim=start=7.9:end=9.1,asetpts=expr=PTS-STARTPTS[ac1];"
            + "[ac0][ac1]concat=n=2:v=0:a=1[ca];"
            + "[cv]fps=fps=30,tpad=stop_mode=clone:stop_duration=0.1,format=pix_fmts=yuv420p,trim=duration=5.4[v];"
            + "[ca]volume=volume=6.5dB,alimiter=limit=0.8414:attack=5:release=50:level=0,aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=5.4[a]",
            graph);
    }

    [Fact]
    public void FastPause_PieceTimestampsAndTempoScaled()
    {
        var graph = Graph(Plan(new(0, 2, 1), new PlannedSegment(2, 6, 1) { Speed = 4 }, new(6, 8, 1)));

        // The sped-up piece: 4 s of source in 1 s of output (30 frames from frame 60).
        Assert.Contains("[vs1]trim=start=1:end=6,setpts=expr=(PTS-2/TB)/4,fps=fps=30:start_time=0,tpad=stop_mode=clone:stop_duration=0.1,trim=end_pts=30,", graph, StringComparison.Ordinal);
        Assert.Contains("[as1]atrim=start=2:end=6,asetpts=expr=PTS-STARTPTS,atempo=tempo=4[ac1]", graph, StringComparison.Ordinal);
        Assert.Equal(5, (Plan(new(0, 2, 1), new PlannedSegment(2, 6, 1) { Speed = 4 }, new(6, 8, 1))).DurationSeconds, 6);
    }

    [Fact]
    public void Texts_BurnedInFromTheirScriptAfterTheCaptions()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with
        {
            Texts = [new PlannedText("Hi: 'x' %{pts} {\\b1}", 0, 3, 86, "#FFFFFF", "#000000A0", TextPosition.Top)],
        };

        var graph = Graph(plan, "scratch/o.titles.ass");

        Assert.Contains("ass=filename=scratch/o.titles.ass:fontsdir=/fonts", graph, StringComparison.Ordinal);
        // The text itself never enters the graph: it lives in the script, escaped for ASS (see TitleScriptTests).
        Assert.DoesNotContain("%{pts}", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("Hi", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("drawtext", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void CutPlanAtASpeed_EachPieceCarriesThePlansSpeed_TheFinishDoesNotSpeedItAgain()
    {
        var graph = Graph(Plan(new PlannedSegment(1, 5, 1), new PlannedSegment(6, 10, 1) { Speed = 2 }) with { Speed = 1.25 });

        Assert.Contains("[vs0]trim=start=0:end=5,setpts=expr=(PTS-1/TB)/1.25,fps=fps=30:start_time=0,", graph, StringComparison.Ordinal);
        Assert.Contains("[vs1]trim=start=5:end=10,setpts=expr=(PTS-6/TB)/2.5,fps=fps=30:start_time=0,", graph, StringComparison.Ordinal);
        Assert.Contains("[cv]fps=fps=30,", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("setpts=expr=PTS/1.25", graph, StringComparison.Ordinal);
        Assert.Contains("atempo=tempo=1.25", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Speed_VideoTimestampsAndAudioTempo()
    {
        var graph = Graph(Plan(new PlannedSegment(0, 10, 1)) with { Speed = 1.25 });

        Assert.Contains("[vr]setpts=expr=PTS/1.25,fps=fps=30", graph, StringComparison.Ordinal);
        Assert.Contains("[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0[at];", graph, StringComparison.Ordinal);
        Assert.Contains("[at]atempo=tempo=1.25[sp];[sp]aresample", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void MusicDuckedUnderSpeech_LoopedFadedSidechainedMixedThenMastered()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with { Music = new PlannedMusic("uploads/m/song.mp3", -18, 1, 2, true), GainDb = 3 };

        var args = RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", new RenderAssets { MusicPath = "/w/song.mp3" }).ToArguments().ToList();
        var graph = args[args.IndexOf("-filter_complex") + 1];

        Assert.Equal(["-protocol_whitelist", "file", "-stream_loop", "-1", "-i", "/w/song.mp3"], args[(args.IndexOf("/w/song.mp3") - 5)..(args.IndexOf("/w/song.mp3") + 1)]);
        Assert.Contains("[at]aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[sp]", graph, StringComparison.Ordinal);
        Assert.Contains("[1:a:0]atrim=duration=10,aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=volume=-18dB,afade=t=in:st=0:d=1,afade=t=out:st=8:d=2[mu]", graph, StringComparison.Ordinal);
        Assert.Contains("[sp]asplit=outputs=2[sp1][key];[mu][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[md];[sp1][md]amix=inputs=2:duration=first:normalize=0[mx];[mx]volume=volume=3dB,alimiter", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Logo_ScaledFadedOverlaidInItsCornerAboveTheButtonZone()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with { Logo = new PlannedLogo("uploads/l/logo.png", Corner.BottomRight, 130, 0.8, 43) };

        var args = RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", new RenderAssets { LogoPath = "/w/logo.png" }).ToArguments().ToList();
        var graph = args[args.IndexOf("-filter_complex") + 1];

        Assert.Equal("/w/logo.png", args[args.LastIndexOf("-i") + 1]);
        Assert.Contains("[1:v:0]scale=w=130:h=-2,format=pix_fmts=rgba,colorchannelmixer=aa=0.8[lg];[vt][lg]overlay=x=W-w-43:y=H*0.78-h,format=pix_fmts=yuv420p,trim=duration=10[v]", graph, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4"));
    }

    [Fact]
    public void IntroAndOutro_FittedCutExactlyAndJoinedAroundTheEdit()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with { Intro = new PlannedBookend("k/intro.mp4", 1.5, false), Outro = new PlannedBookend("k/outro.mp4", 2, true) };

        var args = RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", new RenderAssets { IntroPath = "/w/intro.mp4", OutroPath = "/w/outro.mp4" }).ToArguments().ToList();
        var graph = args[args.IndexOf("-filter_complex") + 1];

        Assert.Equal("13.5", args[args.IndexOf("-t") + 1]);
        Assert.Contains("format=pix_fmts=yuv420p,trim=duration=10[mv]", graph, StringComparison.Ordinal);
        Assert.Contains("aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=10[ma]", graph, StringComparison.Ordinal);
        Assert.Contains("[1:v:0]scale=w=1080:h=1920:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=", graph, StringComparison.Ordinal);
        Assert.Contains("[2:a]atrim=duration=1.5,aresample", graph, StringComparison.Ordinal);
        Assert.Contains("[3:a:0]aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=2", graph, StringComparison.Ordinal);
        Assert.EndsWith("[inv][ina][mv][ma][outv][outa]concat=n=3:v=1:a=1[v][a]", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void StoredMediaReference_EmptyMeansNoStepOtherSchemesRefused()
    {
        Assert.Null(StoredMediaReference.KeyOf("  ", "logo"));
        Assert.Equal("uploads/u/logo.png", StoredMediaReference.KeyOf("blob:uploads/u/logo.png", "logo"));
        Assert.Equal("The music 'https://evil.example/a.mp3' must be 'blob:<key>' of an uploaded file.", Assert.Throws<InvalidDataException>(() => StoredMediaReference.KeyOf("https://evil.example/a.mp3", "music")).Message);
    }

    [Fact]
    public void FaceReframe_CropFollowsThePathExpression()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with
        {
            Reframe = ReframeMode.Face,
            FacePath = new CropPath(606, 1080, true, [new(0, 100), new(2, 300)]),
        };

        Assert.StartsWith("[0:v:0]crop=w=606:h=1080:x=100+100*clip(t-0\\,0\\,2):y=0,scale=w=1080:h=1920,setsar=sar=1[vr]", Graph(plan).Replace("\\'", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_ScalesDownAndPadsBlack()
    {
        var graph = Graph(Plan(new PlannedSegment(0, 10, 1)) with { Reframe = ReframeMode.Fit });

        Assert.StartsWith("[0:v:0]scale=w=1080:h=1920:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=w=1080:h=1920:x=(ow-iw)/2:y=(oh-ih)/2:color=black", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamCopy_NoGraphNoEncode()
    {
        var args = RenderCommandBuilder.Build(Plan(new PlannedSegment(0, 10, 1)) with { StreamCopy = true }, "in.mp4", "out.mp4").ToArguments().ToList();

        Assert.DoesNotContain("-filter_complex", args);
        Assert.Equal(["-map", "0:v:0", "-map", "0:a:0", "-c", "copy"], args[(args.IndexOf("in.mp4") + 1)..(args.IndexOf("in.mp4") + 7)]);
    }

    [Fact]
    public void Texts_WithoutTheirFiles_Refused()
    {
        var plan = Plan(new PlannedSegment(0, 10, 1)) with { Texts = [new PlannedText("x", 0, 1, 40, "#FFFFFF", null, TextPosition.Top)] };

        Assert.Throws<ArgumentException>(() => RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4"));
    }

    [Fact]
    public void Wrap_ByGlyphWidths_AtMostFourLinesEndingInAnEllipsis()
    {
        var widths = Media.Pipelines.Fonts.TextWidths.Default;
        var text = string.Join(' ', Enumerable.Repeat("word", 2_500));
        var wrapped = PlannedText.Wrap(text, 40, 800, widths);

        Assert.Equal(4, wrapped.Split('\n').Length);
        Assert.All(wrapped.Split('\n'), line => Assert.InRange(widths.Width(line, 40), 700, 800));
        Assert.EndsWith("…", wrapped, StringComparison.Ordinal);
        Assert.Equal("one two\nthree", PlannedText.Wrap("one two\nthree", 100, 800, widths));
        // Wide capitals take more room than the same number of narrow letters: widths, not character counts.
        Assert.True(PlannedText.Wrap("WWWW WWWW WWWW WWWW", 100, 800, widths).Split('\n').Length > PlannedText.Wrap("iiii iiii iiii iiii", 100, 800, widths).Split('\n').Length);
    }
}
