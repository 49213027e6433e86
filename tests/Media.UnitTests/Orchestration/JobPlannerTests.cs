using Media.JobApi.Orchestration;
using Media.JobApi.Store;
using Media.Pipelines.Patterns;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

public sealed class JobPlannerTests
{
    private static readonly Pattern TwoOutputs = new()
    {
        Name = "two",
        Outputs = [new PatternOutput("a", EncodePreset.TikTok, 1080, 1920), new PatternOutput("b", EncodePreset.YouTube, 1920, 1080)],
        Thumbnail = new ThumbnailSpec([Media.Pipelines.Thumbnails.Templates.ThumbnailTemplateLibrary.Find("youtube-bold")!], 1),
    };

    [Fact]
    public void Expand_TwoOutputs_FansOutRendersAndCoversAfterProbe()
    {
        var stages = JobPlanner.Expand("j1", TwoOutputs, []);

        Assert.Equal(["j1.probe", "j1.render.a", "j1.render.b", "j1.thumbnails"], stages.Select(s => s.Id));
        Assert.All(stages.Skip(1), s => Assert.Equal(["j1.probe"], s.DependsOn));
    }

    [Fact]
    public void Expand_StepsNeedingMeasurements_OneAnalysisBeforeEveryRender()
    {
        var pattern = TwoOutputs with { Steps = new Media.Pipelines.Patterns.Steps.EditSteps { Loudness = new(-14, -1.5) } };

        var stages = JobPlanner.Expand("j1", pattern, []);

        Assert.Equal(["j1.probe", "j1.analyze", "j1.render.a", "j1.render.b", "j1.thumbnails"], stages.Select(s => s.Id));
        Assert.Equal(["j1.probe"], stages[1].DependsOn);
        Assert.All(stages.Where(s => s.Kind == StageKind.Render), s => Assert.Equal(["j1.analyze"], s.DependsOn));
        Assert.Equal(["j1.probe"], stages[^1].DependsOn);
    }

    [Fact]
    public void Expand_ClipsStep_OneRenderPerOutputAndClip()
    {
        var pattern = TwoOutputs with { Thumbnail = null, Steps = new Media.Pipelines.Patterns.Steps.EditSteps { Clips = new(2, 10, 30) } };

        var stages = JobPlanner.Expand("j1", pattern, ["a"]);

        Assert.Equal(["j1.probe", "j1.analyze", "j1.render.a-clip1", "j1.render.a-clip2"], stages.Select(s => s.Id));
        Assert.Equal(["a-clip1", "a-clip2"], stages.Skip(2).Select(s => s.OutputName));
        Assert.Equal([("a", 1), ("a", 2)], stages.Skip(2).Select(s => (s.PatternOutput, s.Clip)));
    }

    [Fact]
    public void Expand_OutputSubsetWithoutThumbnail_OnlyThoseRenders()
    {
        var stages = JobPlanner.Expand("j1", TwoOutputs with { Thumbnail = null }, ["b"]);

        Assert.Equal(["j1.probe", "j1.render.b"], stages.Select(s => s.Id));
    }

    [Fact]
    public void OverallProgress_WeighsRenderHeaviest()
    {
        StageRecord S(StageKind kind, StageState state, double progress) => new() { Id = kind.ToString(), JobId = "j", Kind = kind, State = state, Progress = progress };

        var progress = JobPlanner.OverallProgress([S(StageKind.Probe, StageState.Succeeded, 0), S(StageKind.Render, StageState.Running, 0.5), S(StageKind.Thumbnail, StageState.Waiting, 0)]);

        Assert.Equal(0.5, progress);
    }

    [Fact]
    public void OverallProgress_APartRenderingThreeShapesWeighsAsThreeParts()
    {
        StageRecord Part(string id, double progress, params string[] variants) => new() { Id = id, JobId = "j", Kind = StageKind.RenderChunk, State = StageState.Running, Progress = progress, Variants = variants };

        // Two video parts of the wide output that also make the square and the vertical, and one shape's sound.
        var progress = JobPlanner.OverallProgress([Part("p0", 1, "square", "vertical"), Part("p1", 0, "square", "vertical"), Part("sound", 0)]);

        Assert.Equal(24.0 / 56, progress, 4);
    }

    [Fact]
    public void RequestHash_MapOrder_DoesNotMatter()
    {
        var a = new SubmitJobRequest { PatternName = "p" };
        a.Parameters.Add("x", "1");
        a.Parameters.Add("y", "2");
        var b = new SubmitJobRequest { PatternName = "p" };
        b.Parameters.Add("y", "2");
        b.Parameters.Add("x", "1");

        Assert.Equal(RequestHash.Compute(a, "sha256:1"), RequestHash.Compute(b, "sha256:1"));
        b.Priority = Priority.Normal;
        Assert.Equal(RequestHash.Compute(a, "sha256:1"), RequestHash.Compute(b, "sha256:1"));
        Assert.NotEqual(RequestHash.Compute(a, "sha256:1"), RequestHash.Compute(b, "sha256:2"));
        b.Parameters["x"] = "3";
        Assert.NotEqual(RequestHash.Compute(a, "sha256:1"), RequestHash.Compute(b, "sha256:1"));
    }

    [Fact]
    public void PageCursor_RoundTrips_AndRejectsGarbage()
    {
        Assert.True(PageCursor.TryDecode(PageCursor.Encode(123, "job_x"), out var time, out var id));
        Assert.Equal((123L, "job_x"), (time, id));
        Assert.False(PageCursor.TryDecode("%%%not-base64", out _, out _));
        Assert.False(PageCursor.TryDecode(Convert.ToBase64String("nope"u8.ToArray()), out _, out _));
    }
}
