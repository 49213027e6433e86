namespace Media.Pipelines.Captions;

/// <summary>Captions were asked for and people speak, but recognition found no words: publishing would lose them.</summary>
public sealed class CaptionsUnavailableException : Exception
{
    public CaptionsUnavailableException()
    {
    }

    public CaptionsUnavailableException(string message)
        : base(message)
    {
    }

    public CaptionsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
