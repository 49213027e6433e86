namespace Media.Pipelines.Render;

/// <summary>A fan-out render asked for a clip the source is too short or too quiet to give.</summary>
public sealed class ClipNotAvailableException : Exception
{
    public ClipNotAvailableException()
    {
    }

    public ClipNotAvailableException(string message)
        : base(message)
    {
    }

    public ClipNotAvailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
