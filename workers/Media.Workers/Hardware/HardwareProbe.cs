using Media.Pipelines.Speech.Whisper;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers.Hardware;

/// <summary>
/// Probes the GPU paths by using them, not by reading labels: NVENC must encode real frames, CUDA must decode a real
/// clip, ONNX Runtime must list its CUDA provider, whisper.cpp must report a CUDA build. Each answer keeps its evidence.
/// </summary>
public sealed class HardwareProbe(ToolRunner runner, IOptions<ToolPaths> tools, ILogger<HardwareProbe> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    public async Task<HardwareCapabilities> ProbeAsync(string scratch, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(scratch);
        var devices = await DevicesAsync(cancellationToken);
        var nvenc = await ToolProbeAsync(
            ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=256x256:rate=30:duration=0.3", "-c:v", "h264_nvenc", "-f", "null", "-"],
            "encoded 9 frames with h264_nvenc",
            cancellationToken);
        var clip = Path.Combine(scratch, "hardware-probe.mp4");
        var decode = await ToolProbeAsync(
            ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=256x256:rate=30:duration=0.3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip],
            "test clip written",
            cancellationToken);
        if (decode.Available)
        {
            // -init_hw_device fails hard without a CUDA device; plain -hwaccel cuda would fall back to software silently.
            decode = await ToolProbeAsync(
                ["-hide_banner", "-loglevel", "error", "-init_hw_device", "cuda=gpu", "-hwaccel", "cuda", "-hwaccel_device", "gpu", "-hwaccel_output_format", "cuda", "-i", clip, "-f", "null", "-"],
                "decoded an H.264 clip with NVDEC",
                cancellationToken);
        }

        File.Delete(clip);
        var capabilities = new HardwareCapabilities(nvenc, decode, OnnxCuda(), WhisperGpu(), devices);
        logger.LogInformation("Hardware: {Capabilities}", capabilities);
        return capabilities;
    }

    private static Capability OnnxCuda()
    {
        var providers = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders();
        return providers.Contains("CUDAExecutionProvider")
            ? Capability.Yes("CUDAExecutionProvider")
            : Capability.No("ONNX Runtime offers " + string.Join(", ", providers));
    }

    private Capability WhisperGpu()
    {
        try
        {
            var (runtime, info) = WhisperRecognizer.DescribeRuntime();
            return runtime.StartsWith("Cuda", StringComparison.Ordinal) || info.Contains("CUDA", StringComparison.OrdinalIgnoreCase)
                ? Capability.Yes($"{runtime}: {info}")
                : Capability.No($"whisper.cpp {runtime} build (no CUDA): {info}");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException or TypeInitializationException)
        {
            return Capability.No("no whisper.cpp runtime: " + ex.Message);
        }
    }

    private async Task<IReadOnlyList<string>> DevicesAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            var result = await runner.RunAsync("nvidia-smi", ["-L"], timeout.Token, captureStdout: true);
            return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(" (UUID", 2)[0]).ToList();
        }
        catch (ToolFailedException)
        {
            return [];
        }
    }

    private async Task<Capability> ToolProbeAsync(IReadOnlyList<string> arguments, string success, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await runner.RunAsync(tools.Value.FFmpeg, arguments, timeout.Token);
            return Capability.Yes(success);
        }
        catch (ToolFailedException ex)
        {
            // ffmpeg's first lines say why (e.g. "Cannot load libcuda.so.1"); its last only that the encoder failed.
            var lines = ex.StderrTail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var reason = lines.Length == 0 ? $"ffmpeg exited with {ex.ExitCode}" : string.Join(" / ", lines);
            return Capability.No(reason.Length <= 400 ? reason : reason[..400] + "…");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Capability.No($"no answer within {ProbeTimeout.TotalSeconds:0} s");
        }
    }
}
