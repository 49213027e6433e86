namespace Media.Pipelines.Patterns;

/// <summary>One rendered file a pattern produces.</summary>
public sealed record PatternOutput(string Name, EncodePreset Preset, int Width, int Height)
{
    /// <summary>Where it is encoded: the CPU pool (libx264) or the GPU pool (NVENC); a GPU render never falls back to CPU.</summary>
    public OutputHardware Hardware { get; init; } = OutputHardware.Cpu;
}
