using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Selection;
using Media.Pipelines.Faces;

namespace Media.UnitTests.Thumbnails;

public sealed class FrameSelectionUnitTests
{
    [Fact]
    public void CandidateTimes_StayInsideTheClipAwayFromTheEnd()
    {
        var times = FrameSelector.CandidateTimes(10, 8);

        Assert.Equal(8, times.Count);
        Assert.Equal(0.5, times[0]);
        Assert.True(times[^1] <= 9.5);
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public void Choose_KeepsChosenFramesApart()
    {
        FrameCandidate C(double t, double score) => new(t, 0, 0, 0, 0, 0, [], score);
        var candidates = new[] { C(1.0, 0.9), C(1.2, 0.89), C(1.4, 0.88), C(6.0, 0.5), C(9.0, 0.4) };

        var chosen = FrameSelector.Choose(candidates, 3, 10);

        Assert.Equal([1.0, 6.0, 9.0], chosen.Select(c => c.TimeSeconds));
    }

    [Fact]
    public void Metrics_SharpVersusFlatAndDark()
    {
        const int w = 64, h = 48;
        var checker = new byte[w * h * 3];
        var flat = new byte[w * h * 3];
        for (var i = 0; i < w * h; i++)
        {
            var on = ((i % w) / 4 + (i / w) / 4) % 2 == 0;
            checker[3 * i] = checker[3 * i + 1] = checker[3 * i + 2] = on ? (byte)230 : (byte)20;
            flat[3 * i] = flat[3 * i + 1] = flat[3 * i + 2] = 10;
        }

        var sharp = FrameMetrics.Measure(checker, w, h);
        var dark = FrameMetrics.Measure(flat, w, h);

        Assert.True(sharp.Sharpness > 1000);
        Assert.Equal(0, dark.Sharpness, 3);
        Assert.True(dark.MeanLuma < 0.05);
        Assert.Equal(0, FrameMetrics.Difference(checker, checker, w, h));
        Assert.True(FrameMetrics.Difference(checker, flat, w, h) > 0.3);
    }

    [Fact]
    public void Score_FacesAndSharpnessWin_TransitionsLose()
    {
        var face = new FaceRegion(0.35f, 0.2f, 0.3f, 0.4f, 0.95f);
        var good = FrameScorer.Score(1, (500, 0.5, 0.25), 0.01, [face], facesKnown: true);
        var noFace = FrameScorer.Score(2, (500, 0.5, 0.25), 0.01, [], facesKnown: true);
        var cut = FrameScorer.Score(3, (500, 0.5, 0.25), 0.3, [face], facesKnown: true);
        var blurry = FrameScorer.Score(4, (2, 0.5, 0.25), 0.01, [face], facesKnown: true);

        Assert.True(good.Score > noFace.Score);
        Assert.True(good.Score > cut.Score);
        Assert.True(good.Score > blurry.Score);
    }

    [Fact]
    public void CandidateSheet_OneCallWithInputSeeksAndOneRawOutput()
    {
        var args = CandidateSheetCommand.Build("/v.mp4", [1.5, 3], 320, 180, 5, "/s.rgb", 1.2).ToArguments().ToList();

        Assert.Equal(2, args.Count(a => a == "-i"));
        Assert.Equal("1.5", args[args.IndexOf("-ss") + 1]);
        // Each input read for its window only (unbounded, every input decodes on while the others catch up).
        Assert.Equal(["1.2", "1.2"], args.Select((a, i) => (a, i)).Where(x => x.a == "-t").Select(x => args[x.i + 1]));
        var graph = args[args.IndexOf("-filter_complex") + 1];
        Assert.Equal(
            "[0:v:0]select=expr=\\'eq(n\\,0)+eq(n\\,5)\\',scale=w=320:h=180,setsar=sar=1,format=pix_fmts=rgb24,tile=layout=1x2[c0];"
            + "[1:v:0]select=expr=\\'eq(n\\,0)+eq(n\\,5)\\',scale=w=320:h=180,setsar=sar=1,format=pix_fmts=rgb24,tile=layout=1x2[c1];"
            + "[c0][c1]vstack=inputs=2[sheet]",
            graph);
        Assert.Equal(["-map", "[sheet]", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "/s.rgb"], args[^9..]);
    }

    [Fact]
    public void ChosenFrames_OneCallOneOutputPerTime()
    {
        var args = ChosenFramesCommand.Build("/v.mp4", [1, 2, 3], ["/a.png", "/b.png", "/c.png"]).ToArguments().ToList();

        Assert.Equal(3, args.Count(a => a == "-i"));
        Assert.Equal(3, args.Count(a => a == "-t"));
        Assert.Equal(["0:v:0", "1:v:0", "2:v:0"], args.Select((a, i) => (a, i)).Where(x => x.a == "-map").Select(x => args[x.i + 1]));
        Assert.Equal(["/a.png", "/b.png", "/c.png"], args.Where(a => a.EndsWith(".png", StringComparison.Ordinal)));
    }
}
