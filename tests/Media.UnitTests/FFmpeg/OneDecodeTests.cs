using Media.Pipelines.FFmpeg;
using Media.Pipelines.Patterns;
using Media.Pipelines.Render;

namespace Media.UnitTests.FFmpeg;

public sealed class OneDecodeTests
{
    private static FFmpegCommand Command(string output, bool music) => new()
    {
        Inputs = music ? [new FFmpegInput("/in/source.mov"), new FFmpegInput("/in/music.m4a") { Loop = true }] : [new FFmpegInput("/in/source.mov")],
        Graph = new FilterGraph(
        [
            new(["0:v:0"], [Filter.Of("scale", ("w", 100), ("h", 100))], ["v"]),
            new(music ? ["0:a:0", "1:a"] : ["0:a:0"], [Filter.Of(music ? "amix" : "anull")], ["a"]),
        ]),
        Maps = ["[v]", "[a]"],
        OutputOptions = ["-c:v", "libx264"],
        OutputPath = output,
    };

    [Fact]
    public void Combine_SharesTheSourceRenumbersOwnInputsAndPrefixesLabels()
    {
        var one = OneDecode.Combine([Command("/out/a.mp4", music: true), Command("/out/b.mp4", music: false), Command("/out/c.mp4", music: true)]);

        // The source once, then each command's own inputs in order.
        Assert.Equal(["/in/source.mov", "/in/music.m4a", "/in/music.m4a"], one.Inputs.Select(i => i.Path));
        Assert.Equal(
            "[0:v:0]scale=w=100:h=100[o0v];[0:a:0][1:a]amix[o0a];"
            + "[0:v:0]scale=w=100:h=100[o1v];[0:a:0]anull[o1a];"
            + "[0:v:0]scale=w=100:h=100[o2v];[0:a:0][2:a]amix[o2a]",
            one.Graph.Render());
        var args = one.ToArguments();
        Assert.Equal(1, args.Count(a => a == "-filter_complex"));
        Assert.Equal(["/out/a.mp4", "/out/b.mp4", "/out/c.mp4"], args.Where(a => a.StartsWith("/out/", StringComparison.Ordinal)));
        Assert.Equal(["[o0v]", "[o0a]", "[o1v]", "[o1a]", "[o2v]", "[o2a]"], args.Select((a, i) => (a, i)).Where(x => x.a == "-map").Select(x => args[x.i + 1]));
    }

    [Fact]
    public void Combine_StreamSpecifierMapsFollowTheirInput()
    {
        var withSpecifier = Command("/out/b.mp4", music: true) with { Maps = ["[v]", "1:a:0"] };

        var one = OneDecode.Combine([Command("/out/a.mp4", music: true), withSpecifier]);

        Assert.Equal(["[o1v]", "2:a:0"], one.AdditionalOutputs.Single().Maps);
    }

    [Fact]
    public void Combine_RefusesCommandsThatReadAnotherSourceOrPartOfIt()
    {
        var seeking = Command("/out/b.mp4", music: false) with { Inputs = [new FFmpegInput("/in/source.mov") { Seek = TimeSpan.FromSeconds(10) }] };
        var other = Command("/out/b.mp4", music: false) with { Inputs = [new FFmpegInput("/in/other.mov")] };

        Assert.Throws<ArgumentException>(() => OneDecode.Combine([Command("/out/a.mp4", false), seeking]));
        Assert.Throws<ArgumentException>(() => OneDecode.Combine([Command("/out/a.mp4", false), other]));
        Assert.Same(seeking, OneDecode.Combine([seeking]));
    }

    [Fact]
    public void Combine_RefusesWhatItCannotRenumberSafely()
    {
        var negativeMap = Command("/out/b.mp4", music: false) with { Maps = ["[v]", "-0:s"] };
        var numericLabel = Command("/out/b.mp4", music: false) with { Graph = new FilterGraph([new(["0:v:0"], [new Filter("null")], ["12"])]) };

        Assert.Throws<ArgumentException>(() => OneDecode.Combine([Command("/out/a.mp4", false), negativeMap]));
        Assert.Throws<ArgumentException>(() => OneDecode.Combine([Command("/out/a.mp4", false), numericLabel]));
    }

    [Fact]
    public void Combine_RealRenderPlans_EveryLabelDefinedOnceAndUsedOnce()
    {
        RenderPlan Plan(string name, int width, int height) => new()
        {
            OutputName = name,
            Width = width,
            Height = height,
            Reframe = ReframeMode.Center,
            Preset = EncodePreset.TikTok,
            Segments = [new PlannedSegment(0, 4, 1), new PlannedSegment(6, 9, 1.2)],
            SourceHasAudio = false,
        };

        var one = OneDecode.Combine([.. new[] { Plan("v", 1080, 1920), Plan("s", 1080, 1080), Plan("w", 1920, 1080) }.Select(p => RenderCommandBuilder.Build(p, "/in/s.mov", $"/out/{p.OutputName}.mp4"))]);

        var defined = one.Graph.Chains.SelectMany(c => c.Outputs).ToList();
        var used = one.Graph.Chains.SelectMany(c => c.Inputs).Where(l => !char.IsDigit(l[0])).Concat(one.Maps.Concat(one.AdditionalOutputs.SelectMany(o => o.Maps)).Select(m => m.Trim('[', ']'))).ToList();
        Assert.Equal(defined.Count, defined.Distinct().Count());
        Assert.Equal(defined.Order(), used.Order());
        // Each output's generated silence is its own input (inputs 1, 2, 3); the source is read once.
        Assert.Equal(["/in/s.mov", "anullsrc=r=48000:cl=stereo", "anullsrc=r=48000:cl=stereo", "anullsrc=r=48000:cl=stereo"], one.Inputs.Select(i => i.Path));
        Assert.Equal(["1:a", "2:a", "3:a"], one.Graph.Chains.SelectMany(c => c.Inputs).Where(l => l.EndsWith(":a", StringComparison.Ordinal)));
    }
}
