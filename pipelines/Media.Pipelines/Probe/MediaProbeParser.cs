using System.Globalization;
using System.Text.Json;

namespace Media.Pipelines.Probe;

/// <summary>Turns ffprobe's -show_format -show_streams JSON into a <see cref="MediaProbe"/>.</summary>
public static class MediaProbeParser
{
    public static MediaProbe Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f : default;
        var streams = root.TryGetProperty("streams", out var s) && s.ValueKind == JsonValueKind.Array
            ? s.EnumerateArray().ToList()
            : [];

        // Cover art is a "video" stream with attached_pic; it is not the picture track.
        var video = streams.FirstOrDefault(x => Str(x, "codec_type") == "video" && !IsAttachedPicture(x));
        var audio = streams.FirstOrDefault(x => Str(x, "codec_type") == "audio");
        var hasVideo = video.ValueKind == JsonValueKind.Object;
        var hasAudio = audio.ValueKind == JsonValueKind.Object;

        var duration = Dbl(format, "duration");
        if (duration <= 0)
        {
            duration = Math.Max(hasVideo ? Dbl(video, "duration") : 0, hasAudio ? Dbl(audio, "duration") : 0);
        }

        return new MediaProbe
        {
            DurationSeconds = duration,
            Container = Str(format, "format_name"),
            SizeBytes = (long)Dbl(format, "size"),
            HasVideo = hasVideo,
            Width = hasVideo ? Int(video, "width") : 0,
            Height = hasVideo ? Int(video, "height") : 0,
            FrameRate = hasVideo ? FrameRate(video) : 0,
            VideoCodec = hasVideo ? Str(video, "codec_name") : string.Empty,
            Rotation = hasVideo ? Rotation(video) : 0,
            HasAudio = hasAudio,
            AudioCodec = hasAudio ? Str(audio, "codec_name") : string.Empty,
            SampleRate = hasAudio ? (int)Dbl(audio, "sample_rate") : 0,
            Channels = hasAudio ? Int(audio, "channels") : 0,
        };
    }

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    private static double FrameRate(JsonElement stream)
    {
        foreach (var key in new[] { "avg_frame_rate", "r_frame_rate" })
        {
            var text = Str(stream, key);
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0
                && double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
                && double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
                && den > 0 && num > 0)
            {
                return Math.Round(num / den, 3);
            }
        }

        return 0;
    }

    private static int Rotation(JsonElement stream)
    {
        double degrees = 0;
        if (stream.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number)
                {
                    degrees = r.GetDouble();
                }
            }
        }

        if (degrees == 0 && stream.TryGetProperty("tags", out var tags))
        {
            degrees = Dbl(tags, "rotate");
        }

        // The display matrix says counter-clockwise (negative = clockwise); normalise to 0/90/180/270 clockwise.
        var clockwise = ((int)Math.Round(-degrees / 90.0) * 90 % 360 + 360) % 360;
        return clockwise;
    }

    private static string Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() ?? string.Empty
            : string.Empty;

    private static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i
            : 0;

    private static double Dbl(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var v))
        {
            return 0;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => 0,
        };
    }
}
