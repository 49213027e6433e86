using System.Text;

namespace Media.Pipelines.FFmpeg;

/// <summary>
/// One filter with its options, e.g. scale=w=1080:h=1920. Option values are escaped for both levels of
/// ffmpeg's filtergraph syntax, so no value (user text included) can add filters or options.
/// </summary>
public sealed record Filter(string Name, IReadOnlyList<KeyValuePair<string, string>> Options)
{
    public Filter(string name)
        : this(name, [])
    {
    }

    public static Filter Of(string name, params (string Key, object Value)[] options) =>
        new(name, options.Select(o => new KeyValuePair<string, string>(o.Key, FormatValue(o.Value))).ToArray());

    public string Render()
    {
        if (Options.Count == 0)
        {
            return Name;
        }

        var builder = new StringBuilder(Name).Append('=');
        for (var i = 0; i < Options.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(':');
            }

            builder.Append(Options[i].Key).Append('=').Append(FilterEscaping.Escape(Options[i].Value));
        }

        return builder.ToString();
    }

    private static string FormatValue(object value) => value switch
    {
        double d => FFmpegFormat.Number(d),
        float f => FFmpegFormat.Number(f),
        int i => FFmpegFormat.Number(i),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
