using Media.Pipelines.Patterns;

namespace Media.Pipelines.Render;

/// <summary>Everything one output's render needs, decided before ffmpeg starts. Pure data, immutable.</summary>
public sealed record RenderPlan
{
    public required string OutputName { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required ReframeMode Reframe { get; init; }

    public required EncodePreset Preset { get; init; }

    /// <summary>CPU (libx264) or GPU (h264_nvenc) encoding; a stream copy ignores it.</summary>
    public OutputHardware Hardware { get; init; } = OutputHardware.Cpu;

    /// <summary>The video encoder ffmpeg runs for this plan.</summary>
    public string VideoEncoder => StreamCopy ? "copy" : Hardware == OutputHardware.Gpu ? "h264_nvenc" : "libx264";

    /// <summary>The kept pieces of the source in output order (one piece = a plain render).</summary>
    public required IReadOnlyList<PlannedSegment> Segments { get; init; }

    /// <summary>Face reframing: where the crop window is over time. Null for the other modes.</summary>
    public CropPath? FacePath { get; init; }

    /// <summary>Face reframing: when two people are stacked (or the whole picture shown) instead of the crop. Null: always the crop.</summary>
    public SplitLayout? Layout { get; init; }

    public IReadOnlyList<PlannedText> Texts { get; init; } = [];

    public double Speed { get; init; } = 1;

    public PlannedLogo? Logo { get; init; }

    public Captions.PlannedCaptions? Captions { get; init; }

    public PlannedMusic? Music { get; init; }

    public PlannedBookend? Intro { get; init; }

    public PlannedBookend? Outro { get; init; }

    /// <summary>Gain to the loudness target (dB), from the analysis; null = leave the level alone.</summary>
    public double? GainDb { get; init; }

    /// <summary>Peak ceiling (linear, 0..1) for the limiter that follows the gain.</summary>
    public double PeakLimit { get; init; } = 1;

    /// <summary>False when the source has no audio: a silent track is generated so players and platforms get one.</summary>
    public required bool SourceHasAudio { get; init; }

    /// <summary>The source already is what the preset asks for and nothing changes it: copy the streams.</summary>
    public bool StreamCopy { get; init; }

    /// <summary>True when the platform's length limit cut the output short.</summary>
    public bool Truncated { get; init; }

    /// <summary>Length of the edit itself (what texts, music and loudness apply to), in seconds.</summary>
    public double MainDurationSeconds => Segments.Sum(s => s.OutputDuration) / Speed;

    /// <summary>Length of the output in seconds: intro, edit, outro.</summary>
    public double DurationSeconds => (Intro?.DurationSeconds ?? 0) + MainDurationSeconds + (Outro?.DurationSeconds ?? 0);

    /// <summary>True when the output is one unzoomed piece starting at the source's start (no trim filters needed).</summary>
    public bool IsWholeSource => Segments.Count == 1 && Segments[0].Start == 0 && Segments[0].Zoom == 1 && Segments[0].Speed == 1;
}
