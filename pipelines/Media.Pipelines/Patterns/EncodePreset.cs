namespace Media.Pipelines.Patterns;

/// <summary>
/// Platform delivery settings: frame size, frame rate, H.264 rate control with a bitrate cap, AAC audio,
/// and the platform's longest accepted video.
/// </summary>
public sealed record EncodePreset(
    string Name,
    int Width,
    int Height,
    int FrameRate,
    int Crf,
    int MaxBitrateKbps,
    string X264Preset,
    string Profile,
    string Level,
    int AudioBitrateKbps,
    double MaxDurationSeconds)
{
    public static readonly EncodePreset TikTok = new("tiktok", 1080, 1920, 30, 21, 8000, "veryfast", "high", "4.1", 128, 600);
    public static readonly EncodePreset Reels = new("reels", 1080, 1920, 30, 21, 8000, "veryfast", "high", "4.1", 128, 180);
    public static readonly EncodePreset Shorts = new("shorts", 1080, 1920, 30, 21, 10000, "veryfast", "high", "4.1", 128, 180);
    public static readonly EncodePreset YouTube = new("youtube", 1920, 1080, 30, 20, 12000, "veryfast", "high", "4.1", 192, 12 * 3600);
    public static readonly EncodePreset Archive = new("archive", 1920, 1080, 30, 18, 20000, "medium", "high", "4.1", 256, 12 * 3600);

    public static IReadOnlyList<EncodePreset> All { get; } = [TikTok, Reels, Shorts, YouTube, Archive];

    public static EncodePreset? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
