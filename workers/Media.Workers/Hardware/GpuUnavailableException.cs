namespace Media.Workers.Hardware;

/// <summary>A GPU output reached a worker whose GPU encoder does not work: refused, never encoded on the CPU instead.</summary>
public sealed class GpuUnavailableException(string message) : Exception(message);
