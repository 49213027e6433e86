namespace Media.Pipelines.Tools;

/// <summary>Where the external tools are; plain names are looked up on PATH.</summary>
public sealed class ToolPaths
{
    public const string Section = "Media:Tools";

    public string FFmpeg { get; set; } = "ffmpeg";

    public string FFprobe { get; set; } = "ffprobe";

    /// <summary>A TrueType font for thumbnail text; empty = the first Debian/DejaVu font found.</summary>
    public string Font { get; set; } = string.Empty;
}
