namespace Media.Pipelines.Patterns;

/// <summary>Where an output is encoded (pattern field outputs[].hardware).</summary>
public enum OutputHardware
{
    Cpu,
    Gpu,
}
