using Media.Pipelines.Patterns;
using Media.Pipelines.Render;

namespace Media.UnitTests.FFmpeg;

public sealed class RenderCommandBuilderTests
{
    private static RenderPlan Plan(ReframeMode mode = ReframeMode.Center, bool audio = true, double duration = 12.5) => new()
    {
        OutputName = "vertical",
        Width = 1080,
        Height = 1920,
        Reframe = mode,
        Preset = EncodePreset.TikTok,
        Segments = [new PlannedSegment(0, duration, 1)],
        SourceHasAudio = audio,
    };

    [Fact]
    public void Build_CenterWithAudio_ProducesGoldenArguments()
    {
        var args = RenderCommandBuilder.Build(Plan(), "/in/source.mov", "/out/vertical.mp4").ToArguments().ToList();

        Assert.Equal(
            [
                "-hide_banner", "-nostats", "-loglevel", "warning", "-y", "-progress", "pipe:1",
                "-protocol_whitelist", "file", "-i", "/in/source.mov",
                "-filter_complex",
                "[0:v:0]scale=w=1080:h=1920:force_original_aspect_ratio=increase,crop=w=1080:h=1920,setsar=sar=1[vr];[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0[at];"
                + "[vr]fps=fps=30,tpad=stop_mode=clone:stop_duration=0.1,format=pix_fmts=yuv420p,trim=duration=12.5[v];"
                + "[at]aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=12.5[a]",
                "-map", "[v]", "-map", "[a]",
                "-t", "12.5",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-maxrate", "8000k", "-bufsize", "16000k",
                "-profile:v", "high", "-level:v", "4.1", "-pix_fmt", "yuv420p", "-g", "60",
                "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
                "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4",
                "/out/vertical.mp4",
            ],
            args);
    }

    [Fact]
    public void Build_SourceWithoutAudio_AddsSilentTrackTrimmedToDuration()
    {
        var args = RenderCommandBuilder.Build(Plan(audio: false, duration: 3), "in.mp4", "out.mp4").ToArguments().ToList();

        var lavfi = args.IndexOf("lavfi");
        Assert.True(lavfi > 0);
        Assert.Equal("-i", args[lavfi + 1]);
        Assert.Equal("anullsrc=r=48000:cl=stereo", args[lavfi + 2]);
        var graph = args[args.IndexOf("-filter_complex") + 1];
        Assert.Contains("[1:a]atrim=duration=3,aresample=out_sample_rate=48000", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("[0:a:0]", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BlurFill_SplitsBlursAndOverlaysCentred()
    {
        var graph = RenderCommandBuilder.Build(Plan(ReframeMode.BlurFill), "in.mp4", "out.mp4").ToArguments().SkipWhile(a => a != "-filter_complex").Skip(1).First();

        Assert.StartsWith("[0:v:0]split=outputs=2[bg][fg];", graph, StringComparison.Ordinal);
        Assert.Contains("boxblur=luma_radius=10:luma_power=2", graph, StringComparison.Ordinal);
        Assert.Contains("[bgb][fgs]overlay=x=(W-w)/2:y=(H-h)/2,setsar=sar=1[vr]", graph, StringComparison.Ordinal);
        Assert.EndsWith("[v];[at]aresample=out_sample_rate=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=12.5[a]", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PathWithSpacesAndQuotes_StaysOneArgument()
    {
        const string input = "/in/my 'clip'; rm -rf.mp4";
        var args = RenderCommandBuilder.Build(Plan(), input, "/out/o.mp4").ToArguments().ToList();

        Assert.Equal(input, args[args.IndexOf("-i") + 1]);
        Assert.DoesNotContain(input, args[args.IndexOf("-filter_complex") + 1], StringComparison.Ordinal);
    }
}
