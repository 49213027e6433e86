namespace Media.Workers.Hardware;

/// <summary>What this worker's machine can really do, each with the evidence (a probe's output, or why it failed).</summary>
public sealed record HardwareCapabilities(
    Capability Nvenc,
    Capability CudaDecode,
    Capability OnnxCuda,
    Capability WhisperGpu,
    IReadOnlyList<string> Devices)
{
    public static readonly HardwareCapabilities Unprobed = new(Capability.No("not probed"), Capability.No("not probed"), Capability.No("not probed"), Capability.No("not probed"), []);

    /// <summary>The device named on GPU outputs ("GPU 0: NVIDIA H100 80GB HBM3"), or "gpu" when nvidia-smi is absent.</summary>
    public string GpuDevice => Devices.Count > 0 ? Devices[0] : "gpu";

    public override string ToString() =>
        $"NVENC {Nvenc}; CUDA decode {CudaDecode}; ONNX Runtime CUDA {OnnxCuda}; whisper GPU {WhisperGpu}; devices: {(Devices.Count == 0 ? "none" : string.Join(", ", Devices))}";
}

public sealed record Capability(bool Available, string Detail)
{
    public static Capability Yes(string detail) => new(true, detail);

    public static Capability No(string detail) => new(false, detail);

    public override string ToString() => (Available ? "yes" : "no") + (Detail.Length > 0 ? $" ({Detail})" : string.Empty);
}
