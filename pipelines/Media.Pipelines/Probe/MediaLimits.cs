using System.ComponentModel.DataAnnotations;

namespace Media.Pipelines.Probe;

/// <summary>What the farm accepts as a source; checked right after probing, before any decode.</summary>
public sealed class MediaLimits
{
    public const string Section = "Media:Limits";

    [Range(1, 24 * 3600)]
    public double MaxDurationSeconds { get; set; } = 4 * 3600;

    [Range(16, 16384)]
    public int MaxWidth { get; set; } = 8192;

    [Range(16, 16384)]
    public int MaxHeight { get; set; } = 8192;

    /// <summary>Returns the first limit the probe breaks, or null.</summary>
    public string? Check(MediaProbe probe)
    {
        if (!probe.HasVideo && !probe.HasAudio)
        {
            return "the file has no audio or video stream";
        }

        if (probe.DurationSeconds <= 0)
        {
            return "the duration could not be determined";
        }

        if (probe.DurationSeconds > MaxDurationSeconds)
        {
            return $"the duration {probe.DurationSeconds:0.#} s is over the limit of {MaxDurationSeconds:0} s (Media:Limits:MaxDurationSeconds)";
        }

        if (probe.HasVideo && (probe.Width <= 0 || probe.Height <= 0))
        {
            return "the video stream has no valid dimensions";
        }

        if (probe.Width > MaxWidth || probe.Height > MaxHeight)
        {
            return $"the resolution {probe.Width}x{probe.Height} is over the limit of {MaxWidth}x{MaxHeight} (Media:Limits:MaxWidth/MaxHeight)";
        }

        return null;
    }
}
