using System.Diagnostics.Metrics;
using Media.Platform.Telemetry;

namespace Media.Workers.Hardware;

/// <summary>This worker's probed capabilities, advertised in its log, its readiness and the media.worker.capability gauge.</summary>
public sealed class WorkerHardware
{
    private readonly TaskCompletionSource<HardwareCapabilities> _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // On the host's meter (see QueueDepth): gone with the host.
    public WorkerHardware(IMeterFactory meters) =>
        meters.Create(FarmTelemetry.Name).CreateObservableGauge("media.worker.capability", Observe, "1", "1 where this worker's probe found the capability working (tag: capability).");

    public HardwareCapabilities Current { get; private set; } = HardwareCapabilities.Unprobed;

    public bool IsProbed => _probed.Task.IsCompleted;

    public Task<HardwareCapabilities> WhenProbedAsync(CancellationToken cancellationToken) => _probed.Task.WaitAsync(cancellationToken);

    public void Set(HardwareCapabilities capabilities)
    {
        Current = capabilities;
        _probed.TrySetResult(capabilities);
    }

    private IEnumerable<Measurement<int>> Observe()
    {
        var current = Current;
        yield return Of("nvenc", current.Nvenc);
        yield return Of("cuda_decode", current.CudaDecode);
        yield return Of("onnx_cuda", current.OnnxCuda);
        yield return Of("whisper_gpu", current.WhisperGpu);

        static Measurement<int> Of(string name, Capability capability) => new(capability.Available ? 1 : 0, new KeyValuePair<string, object?>("capability", name));
    }
}
