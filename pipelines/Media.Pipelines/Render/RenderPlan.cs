using Media.Pipelines.Patterns;

namespace Media.Pipelines.Render;

/// <summary>Everything one output's render needs, decided before ffmpeg starts. Pure data.</summary>
public sealed record RenderPlan
{
    public required string OutputName { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required ReframeMode Reframe { get; init; }

    public required EncodePreset Preset { get; init; }

    /// <summary>Length of the output: the source's, capped at the preset's maximum.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>False when the source has no audio: a silent track is generated so players and platforms get one.</summary>
    public required bool SourceHasAudio { get; init; }

    /// <summary>True when the source is longer than the platform allows and is cut.</summary>
    public bool Truncated { get; init; }
}
