using Media.JobApi.Orchestration;
using Media.Pipelines.Patterns;
using Media.Pipelines.Render;
using Media.Platform.Bus;
using Media.Protos.V1;
using Media.UnitTests.Orchestration;

namespace Media.UnitTests.Hardware;

/// <summary>Outputs that ask for GPU encoding: parsed, planned onto the GPU pool, encoded with NVENC arguments.</summary>
public sealed class GpuOutputTests
{
    private const string Pattern = """
        apiVersion: media.farm/v1
        name: mixed
        outputs:
          - { name: fast, preset: tiktok, hardware: gpu }
          - { name: safe, preset: reels }
        """;

    [Fact]
    public void Parser_ReadsHardware_AndNamesAnUnknownOne()
    {
        var parsed = PatternParser.Parse(Pattern);
        var bad = PatternParser.Parse(Pattern.Replace("hardware: gpu", "hardware: tpu", StringComparison.Ordinal));

        Assert.True(parsed.IsValid);
        Assert.Equal([OutputHardware.Gpu, OutputHardware.Cpu], parsed.Pattern!.Outputs.Select(o => o.Hardware));
        var violation = Assert.Single(bad.Violations);
        Assert.Equal("outputs[0].hardware", violation.Path);
        Assert.Contains("unknown hardware 'tpu'", violation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Planner_PutsOnlyTheGpuOutputsRenderOnTheGpuPool()
    {
        var stages = JobPlanner.Expand("j", PatternParser.Parse(Pattern).Pattern!, []);

        Assert.Equal(Topics.GpuPool, stages.Single(s => s.OutputName == "fast").Pool);
        Assert.Equal(Topics.CpuPool, stages.Single(s => s.OutputName == "safe").Pool);
        Assert.All(stages.Where(s => s.Kind != StageKind.Render), s => Assert.Equal(Topics.CpuPool, s.Pool));
    }

    [Fact]
    public void CommandBuilder_GpuPlanEncodesWithNvenc_SameGraphAsCpu()
    {
        var cpu = new RenderPlan
        {
            OutputName = "o",
            Width = 1080,
            Height = 1920,
            Reframe = ReframeMode.Center,
            Preset = EncodePreset.TikTok,
            Segments = [new PlannedSegment(0, 10, 1)],
            SourceHasAudio = true,
        };
        var gpu = cpu with { Hardware = OutputHardware.Gpu };

        var cpuArguments = RenderCommandBuilder.Build(cpu, "in.mp4", "out.mp4").ToArguments().ToList();
        var gpuArguments = RenderCommandBuilder.Build(gpu, "in.mp4", "out.mp4").ToArguments().ToList();

        Assert.Equal("h264_nvenc", gpuArguments[gpuArguments.IndexOf("-c:v") + 1]);
        Assert.Equal("21", gpuArguments[gpuArguments.IndexOf("-cq") + 1]);
        Assert.DoesNotContain("libx264", gpuArguments);
        Assert.DoesNotContain("-crf", gpuArguments);
        Assert.Equal(("libx264", "h264_nvenc"), (cpu.VideoEncoder, gpu.VideoEncoder));
        Assert.Equal(cpuArguments[cpuArguments.IndexOf("-filter_complex") + 1], gpuArguments[gpuArguments.IndexOf("-filter_complex") + 1]);
        Assert.Equal(cpuArguments[cpuArguments.IndexOf("-maxrate") + 1], gpuArguments[gpuArguments.IndexOf("-maxrate") + 1]);
    }

    [Fact]
    public async Task Orchestrator_DispatchesTheGpuRenderToTheGpuTopic()
    {
        await using var h = new OrchestratorHarness();
        await using var gpuWork = h.Bus.Subscribe("workers-gpu", Topics.StageTopics(Topics.GpuPool));
        var job = await h.SubmitAsync(r => r.InlinePattern = Pattern);
        await h.SendAsync(await h.NextDispatchAsync(), e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var delivery = await gpuWork.ReceiveAsync(timeout.Token);
        var onGpu = StageDispatch.Parser.ParseFrom(delivery.Message.Payload.Span);
        var onCpu = await h.NextDispatchAsync();
        while (onCpu.Kind != StageKind.Render)
        {
            onCpu = await h.NextDispatchAsync();
        }

        Assert.Equal((job.Id, "fast", Topics.Stages(Topics.GpuPool, Priority.Normal)), (onGpu.JobId, onGpu.OutputName, delivery.Message.Topic));
        Assert.Equal("safe", onCpu.OutputName);
    }
}
