namespace Media.Pipelines.Patterns;

/// <summary>One rendered file a pattern produces.</summary>
public sealed record PatternOutput(string Name, EncodePreset Preset, int Width, int Height);
