using System.Globalization;

namespace Media.Pipelines.FFmpeg;

/// <summary>
/// Reads ffmpeg's -progress key=value lines; every "progress=continue|end" line closes a block.
/// </summary>
public sealed class FFmpegProgressParser
{
    private long _outTimeMicroseconds;
    private double _fps;
    private double _speed;

    /// <summary>Feeds one line; returns a snapshot when the line closes a block.</summary>
    public FFmpegProgress? Feed(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return null;
        }

        var key = line.AsSpan(0, eq).Trim();
        var value = line.AsSpan(eq + 1).Trim();
        switch (key)
        {
            case "out_time_us" or "out_time_ms":
                // Both keys carry microseconds (out_time_ms is misnamed in ffmpeg); "N/A" before the first frame.
                if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var us) && us >= 0)
                {
                    _outTimeMicroseconds = us;
                }

                break;
            case "fps":
                double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _fps);
                break;
            case "speed":
                double.TryParse(value.TrimEnd('x'), NumberStyles.Float, CultureInfo.InvariantCulture, out _speed);
                break;
            case "progress":
                return new FFmpegProgress(TimeSpan.FromTicks(_outTimeMicroseconds * 10), _fps, _speed, value.SequenceEqual("end"));
        }

        return null;
    }
}
