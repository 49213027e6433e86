namespace Media.Pipelines.Tools;

/// <summary>An external tool exited with an error; carries the tail of what it wrote to stderr.</summary>
public sealed class ToolFailedException : Exception
{
    public ToolFailedException(string tool, int exitCode, string stderrTail)
        : base($"{tool} exited with code {exitCode}: {LastLine(stderrTail)}")
    {
        Tool = tool;
        ExitCode = exitCode;
        StderrTail = stderrTail;
    }

    public string Tool { get; }

    public int ExitCode { get; }

    public string StderrTail { get; }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : lines[^1];
    }
}
