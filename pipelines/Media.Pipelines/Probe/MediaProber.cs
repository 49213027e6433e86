using System.Text.Json;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;

namespace Media.Pipelines.Probe;

/// <summary>Runs ffprobe on a file and checks the result against the limits.</summary>
public sealed class MediaProber(ToolRunner runner, IOptions<ToolPaths> tools, IOptions<MediaLimits> limits)
{
    public async Task<MediaProbe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            var result = await runner.RunAsync(
                tools.Value.FFprobe,
                ["-v", "error", "-protocol_whitelist", "file", "-print_format", "json", "-show_format", "-show_streams", path],
                cancellationToken,
                captureStdout: true,
                gracePeriod: TimeSpan.Zero);
            json = result.Stdout;
        }
        catch (ToolFailedException ex) when (ex.ExitCode is > 0 and < 128)
        {
            throw new InvalidMediaException($"The source is not readable media: {FirstLine(ex.StderrTail)}", ex.StderrTail);
        }

        MediaProbe probe;
        try
        {
            probe = MediaProbeParser.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidMediaException($"ffprobe returned unreadable output: {ex.Message}");
        }

        if (limits.Value.Check(probe) is { } problem)
        {
            throw new InvalidMediaException($"The source is not usable: {problem}.");
        }

        return probe;
    }

    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no details" : lines[^1];
    }
}
