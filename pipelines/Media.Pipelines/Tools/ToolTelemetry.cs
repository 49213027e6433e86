using System.Diagnostics;

namespace Media.Pipelines.Tools;

/// <summary>A span per ffmpeg/ffprobe run, inside the stage's trace (exported with the farm's sources).</summary>
public static class ToolTelemetry
{
    public const string Name = "Media.Farm.Tools";

    public static readonly ActivitySource Source = new(Name);
}
