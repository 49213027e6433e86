using System.Globalization;

namespace Media.Pipelines.FFmpeg;

/// <summary>Invariant number formatting for ffmpeg arguments (a German locale must not write "1,5").</summary>
public static class FFmpegFormat
{
    public static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
