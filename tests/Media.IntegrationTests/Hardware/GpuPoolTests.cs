using Media.Pipelines.Tools;
using Media.Protos.V1;
using Media.Workers.Hardware;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests.Hardware;

/// <summary>
/// The GPU paths on a machine without a GPU (CI): the probe answers no to each with the evidence, a GPU-pool worker
/// stays unready and takes nothing, and a GPU output waits for a GPU worker instead of being encoded on the CPU.
/// On a GPU machine the same probe answers yes (see README: verified only where a GPU was lent).
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class GpuPoolTests(TestMedia media)
{
    [Fact]
    public async Task Probe_WithoutAGpu_SaysNoToEachPathWithTheReason()
    {
        var probe = new HardwareProbe(
            new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System),
            Options.Create(new ToolPaths()),
            NullLogger<HardwareProbe>.Instance);
        var scratch = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid().ToString("N"));

        var found = await probe.ProbeAsync(scratch, CancellationToken.None);
        Directory.Delete(scratch, recursive: true);

        if (File.Exists("/dev/nvidiactl"))
        {
            return; // A GPU machine: the negative case does not apply.
        }

        Assert.False(found.Nvenc.Available);
        Assert.False(found.CudaDecode.Available);
        Assert.False(found.OnnxCuda.Available);
        Assert.False(found.WhisperGpu.Available);
        Assert.Empty(found.Devices);
        // The evidence is ffmpeg's own words, not a guess.
        Assert.Contains("h264_nvenc", found.Nvenc.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("test clip", found.CudaDecode.Detail, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", found.OnnxCuda.Detail, StringComparison.Ordinal);
        Assert.Contains("whisper.cpp Cpu build", found.WhisperGpu.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GpuPoolWorker_WithoutNvenc_IsNotReadyAndTakesNothing()
    {
        var farm = new InProcessFarm(new Dictionary<string, string?> { ["Media:Worker:Pool"] = "gpu" });
        await farm.InitializeAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(farm.HttpAddress) };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            HttpResponseMessage ready;
            string body;
            do
            {
                await Task.Delay(200, timeout.Token);
                ready = await http.GetAsync("/readyz", timeout.Token);
                body = await ready.Content.ReadAsStringAsync(timeout.Token);
            }
            while (body.Contains("probing", StringComparison.Ordinal));

            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("hardware: Unhealthy (GPU pool worker without a working NVENC encoder", body, StringComparison.Ordinal);

            // Its pool's work stays queued: the probe stage (CPU pool) has no worker here, and nothing runs.
            var upload = await farm.Client.UploadFileAsync(media.Silent, null, CancellationToken.None);
            var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
            await Task.Delay(1500, timeout.Token);
            var waiting = await farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
            Assert.Equal(JobState.Queued, waiting.State);
        }
        finally
        {
            await farm.DisposeAsync();
        }
    }

    [Fact]
    public async Task GpuOutput_OnAFarmWithOnlyCpuWorkers_WaitsInsteadOfRunningOnTheCpu()
    {
        var farm = new InProcessFarm();
        await farm.InitializeAsync();
        try
        {
            const string pattern = "apiVersion: media.farm/v1\nname: gpu-only\noutputs:\n  - { name: fast, preset: tiktok, hardware: gpu }\n";
            var upload = await farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
            var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, InlinePattern = pattern });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Job current;
            do
            {
                await Task.Delay(200, timeout.Token);
                current = await farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
            }
            while (current.Stages.Single(s => s.Kind == StageKind.Probe).State != StageState.Succeeded);

            await Task.Delay(2000, timeout.Token);
            current = await farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });

            var render = current.Stages.Single(s => s.Kind == StageKind.Render);
            Assert.Equal((StageState.Dispatched, 1), (render.State, render.Attempt));
            Assert.DoesNotContain(current.Outputs, o => o.Kind == OutputKind.Video);
            Assert.NotEqual(JobState.Failed, current.State);
            await farm.Client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id });
        }
        finally
        {
            await farm.DisposeAsync();
        }
    }
}
