namespace Media.Pipelines.FFmpeg;

/// <summary>One -i input with the options that must precede it (format, fast seek).</summary>
public sealed record FFmpegInput(string Path)
{
    /// <summary>
    /// Input seek (-ss before -i): jumps to the keyframe before it, then (when decoding) drops what comes before the exact
    /// time; timestamps start at 0 from there.
    /// </summary>
    public TimeSpan? Seek { get; init; }

    /// <summary>Read only this much of the input (-t before -i).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>-f, e.g. "lavfi" for generated sources.</summary>
    public string? Format { get; init; }

    /// <summary>Decoder threads for this input; 0 = ffmpeg's choice. Many inputs in one call want 1 each.</summary>
    public int Threads { get; init; }

    /// <summary>False for an ffconcat list of absolute paths (-safe 0); the list is always one the worker wrote.</summary>
    public bool SafeFiles { get; init; } = true;

    /// <summary>Loop the input forever (-stream_loop -1): background music shorter than the video.</summary>
    public bool Loop { get; init; }

    public IEnumerable<string> ToArguments()
    {
        if (Format != "lavfi")
        {
            // Files only: a playlist or concat file inside an upload must not make ffmpeg open URLs or other files' protocols.
            yield return "-protocol_whitelist";
            yield return "file";
        }

        if (Threads > 0)
        {
            yield return "-threads";
            yield return FFmpegFormat.Number(Threads);
        }

        if (Loop)
        {
            yield return "-stream_loop";
            yield return "-1";
        }

        if (Seek is { } seek)
        {
            yield return "-ss";
            yield return FFmpegFormat.Seconds(seek.TotalSeconds);
        }

        if (Duration is { } duration)
        {
            yield return "-t";
            yield return FFmpegFormat.Seconds(duration.TotalSeconds);
        }

        if (Format is not null)
        {
            yield return "-f";
            yield return Format;
        }

        if (!SafeFiles)
        {
            yield return "-safe";
            yield return "0";
        }

        yield return "-i";
        yield return Path;
    }
}
