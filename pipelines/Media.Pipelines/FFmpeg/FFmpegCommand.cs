namespace Media.Pipelines.FFmpeg;

/// <summary>
/// One complete ffmpeg invocation as data: inputs, one filter graph, stream maps, output options.
/// Renders to an argument list (never a command string), so golden tests need no ffmpeg binary.
/// </summary>
public sealed record FFmpegCommand
{
    public required IReadOnlyList<FFmpegInput> Inputs { get; init; }

    public FilterGraph Graph { get; init; } = new([]);

    /// <summary>-map targets: graph labels ("[v]") or stream specifiers ("0:a?").</summary>
    public IReadOnlyList<string> Maps { get; init; } = [];

    /// <summary>Codec, rate control, container options, in order.</summary>
    public IReadOnlyList<string> OutputOptions { get; init; } = [];

    public required string OutputPath { get; init; }

    /// <summary>More outputs of the same invocation (one decode feeding several files), each with its own maps and options.</summary>
    public IReadOnlyList<FFmpegOutput> AdditionalOutputs { get; init; } = [];

    /// <summary>Report progress as key=value lines on stdout (ffmpeg's -progress pipe:1).</summary>
    public bool ReportProgress { get; init; } = true;

    /// <summary>
    /// The longest graph passed as an argument. Linux refuses any one argument over 128 KiB (E2BIG: ffmpeg would not even
    /// start), and an hour's crop path and layout windows can write more; a longer graph goes in a file.
    /// </summary>
    public const int MaxInlineGraph = 64 * 1024;

    /// <summary>A file holding <see cref="Graph"/> (ffmpeg's -filter_complex_script), written by <see cref="WithLongGraphInFileAsync"/>.</summary>
    public string? GraphScriptPath { get; init; }

    /// <summary>This command, with its graph written to a file in <paramref name="folder"/> when it is too long to pass inline.</summary>
    public async Task<FFmpegCommand> WithLongGraphInFileAsync(string folder, CancellationToken cancellationToken)
    {
        var graph = Graph.Render();
        if (graph.Length <= MaxInlineGraph)
        {
            return this;
        }

        var path = Path.Combine(folder, $"graph-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, graph, cancellationToken);
        return this with { GraphScriptPath = path };
    }

    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-loglevel", "warning", "-y" };
        if (ReportProgress)
        {
            args.AddRange(["-progress", "pipe:1"]);
        }

        foreach (var input in Inputs)
        {
            args.AddRange(input.ToArguments());
        }

        if (!Graph.IsEmpty)
        {
            args.AddRange(GraphScriptPath is { } script ? ["-filter_complex_script", script] : ["-filter_complex", Graph.Render()]);
        }

        foreach (var map in Maps)
        {
            args.Add("-map");
            args.Add(map);
        }

        args.AddRange(OutputOptions);
        args.Add(OutputPath);
        foreach (var output in AdditionalOutputs)
        {
            foreach (var map in output.Maps)
            {
                args.Add("-map");
                args.Add(map);
            }

            args.AddRange(output.Options);
            args.Add(output.Path);
        }

        return args;
    }
}
