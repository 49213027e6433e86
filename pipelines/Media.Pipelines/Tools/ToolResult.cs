namespace Media.Pipelines.Tools;

public sealed record ToolResult(int ExitCode, string Stdout, string StderrTail, TimeSpan Elapsed);
