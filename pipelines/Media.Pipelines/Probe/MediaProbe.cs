namespace Media.Pipelines.Probe;

/// <summary>What ffprobe says about a source, reduced to what plans need.</summary>
public sealed record MediaProbe
{
    public double DurationSeconds { get; init; }

    public string Container { get; init; } = string.Empty;

    public long SizeBytes { get; init; }

    public bool HasVideo { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public double FrameRate { get; init; }

    public string VideoCodec { get; init; } = string.Empty;

    /// <summary>Clockwise rotation from the display matrix / rotate tag (0, 90, 180, 270).</summary>
    public int Rotation { get; init; }

    public bool HasAudio { get; init; }

    public string AudioCodec { get; init; } = string.Empty;

    public int SampleRate { get; init; }

    public int Channels { get; init; }

    /// <summary>Width as displayed (after rotation).</summary>
    public int DisplayWidth => Rotation is 90 or 270 ? Height : Width;

    public int DisplayHeight => Rotation is 90 or 270 ? Width : Height;
}
