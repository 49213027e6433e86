namespace Media.Pipelines.Probe;

/// <summary>The source is not usable media (corrupt, not a video, no streams). Retrying cannot help.</summary>
public sealed class InvalidMediaException : Exception
{
    public InvalidMediaException(string message, string toolStderrTail = "")
        : base(message)
    {
        ToolStderrTail = toolStderrTail;
    }

    public string ToolStderrTail { get; }
}
