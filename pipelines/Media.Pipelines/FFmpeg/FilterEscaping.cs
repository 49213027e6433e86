using System.Buffers;
using System.Text;

namespace Media.Pipelines.FFmpeg;

/// <summary>
/// Escaping for filter option values. ffmpeg parses a filtergraph twice: the graph level splits on
/// [ ] , ; and the option level splits on : and =. Quoting with '...' protects a value at the option level;
/// a backslash before each graph-level special character protects it at the graph level.
/// </summary>
public static class FilterEscaping
{
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create("\\':[],;= \n\r\t%{}");

    public static string Escape(string value)
    {
        if (value.Length > 0 && value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            return value;
        }

        // Option level: wrap in quotes; a quote inside ends the quoted run, is escaped, and reopens it.
        var quoted = "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        // Graph level: protect what the graph parser would otherwise split on.
        var builder = new StringBuilder(quoted.Length + 8);
        foreach (var c in quoted)
        {
            if (c is '\\' or '\'' or '[' or ']' or ',' or ';')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
