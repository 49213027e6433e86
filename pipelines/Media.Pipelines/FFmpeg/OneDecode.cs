using System.Globalization;
using System.Text.RegularExpressions;

namespace Media.Pipelines.FFmpeg;

/// <summary>
/// Several ffmpeg commands that read the same source, run as one: one demux and one decode of the source feeding every
/// command's filter graph, one encoder per output. ffmpeg sends an input stream's decoded frames to every graph input
/// bound to it, so no <c>split</c> is needed; each command's graph keeps its own labels (prefixed so they cannot meet)
/// and its own extra inputs (logo, music, generated silence: renumbered after the source).
/// </summary>
public static partial class OneDecode
{
    /// <summary>
    /// The commands as one invocation. Every command must read the same source first (the same path with the same seek and
    /// length): that is what is shared. The first command's output is the main output, the others follow in order.
    /// </summary>
    public static FFmpegCommand Combine(IReadOnlyList<FFmpegCommand> commands)
    {
        ArgumentOutOfRangeException.ThrowIfZero(commands.Count);
        if (commands.Count == 1)
        {
            return commands[0];
        }

        var source = commands[0].Inputs[0];
        if (commands.Any(c => c.Inputs.Count == 0 || c.Inputs[0] != source))
        {
            throw new ArgumentException("Commands share a decode only when they all read the same source first (the same path, seek and length).", nameof(commands));
        }

        if (commands.Any(c => c.GraphScriptPath is not null))
        {
            throw new ArgumentException("Combine the commands before their graph is written to a file.", nameof(commands));
        }

        if (commands.SelectMany(c => c.Graph.Chains).SelectMany(c => c.Outputs).FirstOrDefault(l => InputStream().IsMatch(l)) is { } ambiguous)
        {
            throw new ArgumentException($"The graph label '{ambiguous}' reads as an input stream; it cannot be renumbered safely.", nameof(commands));
        }

        var inputs = new List<FFmpegInput> { source };
        var chains = new List<FilterChain>();
        var outputs = new List<FFmpegOutput>();
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var offset = inputs.Count - 1;
            inputs.AddRange(command.Inputs.Skip(1));
            var prefix = $"o{i}";
            string Rename(string label) => Relabel(label, prefix, offset);
            chains.AddRange(command.Graph.Chains.Select(c => c with { Inputs = [.. c.Inputs.Select(Rename)], Outputs = [.. c.Outputs.Select(Rename)] }));
            outputs.Add(new FFmpegOutput([.. command.Maps.Select(m => RelabelMap(m, prefix, offset))], command.OutputOptions, command.OutputPath));
            outputs.AddRange(command.AdditionalOutputs.Select(o => o with { Maps = [.. o.Maps.Select(m => RelabelMap(m, prefix, offset))] }));
        }

        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = outputs[0].Maps,
            OutputOptions = outputs[0].Options,
            OutputPath = outputs[0].Path,
            AdditionalOutputs = [.. outputs.Skip(1)],
            ReportProgress = commands[0].ReportProgress,
        };
    }

    // A graph label: an input stream ("2:a", "0:v:0") keeps the source (input 0) and moves the command's own inputs after
    // those of the commands before it; any other label is the command's own and gets its prefix.
    private static string Relabel(string label, string prefix, int offset)
    {
        var stream = InputStream().Match(label);
        if (!stream.Success)
        {
            return $"{prefix}{label}";
        }

        var index = int.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture);
        return index == 0 ? label : string.Create(CultureInfo.InvariantCulture, $"{index + offset}{stream.Groups[2].Value}");
    }

    // A -map target: a graph label in brackets ("[v]") or a stream specifier ("0:a?").
    private static string RelabelMap(string map, string prefix, int offset) =>
        map.StartsWith('[') && map.EndsWith(']') ? $"[{Relabel(map[1..^1], prefix, offset)}]"
        : InputStream().IsMatch(map) ? Relabel(map, prefix, offset)
        : throw new ArgumentException($"The map '{map}' is neither a graph label nor an input stream; it cannot be renumbered safely.", nameof(map));

    [GeneratedRegex(@"^(\d+)(:.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex InputStream();
}
