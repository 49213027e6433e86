namespace Media.Pipelines.Faces;

/// <summary>Used when no face model is installed; the reason is logged at start.</summary>
public sealed class NoFaceDetector : IFaceDetector
{
    public bool IsAvailable => false;

    public string Name => "none";

    public IReadOnlyList<FaceRegion> Detect(ReadOnlySpan<byte> rgb24, int width, int height) => [];
}
