namespace Media.Pipelines.FFmpeg;

/// <summary>One output file of an invocation with several.</summary>
public sealed record FFmpegOutput(IReadOnlyList<string> Maps, IReadOnlyList<string> Options, string Path);
