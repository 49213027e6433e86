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

    private static readonly string[] AllowedContainers =
    [
        "mov", "mp4", "m4a", "3gp", "matroska", "webm", "avi", "mpegts", "mpeg", "flv", "asf", "ogg", "wav", "flac", "mp3", "aac", "mxf", "gif",
    ];

    /// <summary>Returns the first limit the probe breaks, or null.</summary>
    public string? Check(MediaProbe probe)
    {
        // Containers, not playlists: HLS/DASH/concat inputs reference other files or URLs.
        if (!AllowedContainers.Any(c => probe.Container.Split(',').Contains(c, StringComparer.Ordinal)))
        {
            return $"the container '{probe.Container}' is not accepted (media files only, not playlists or image sequences)";
        }

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
