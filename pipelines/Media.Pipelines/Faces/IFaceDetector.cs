namespace Media.Pipelines.Faces;

/// <summary>Finds faces in an RGB24 frame. Implementations load their model once and are shared.</summary>
public interface IFaceDetector
{
    /// <summary>False when no model is installed: frame selection then scores without faces.</summary>
    bool IsAvailable { get; }

    /// <summary>Name and version of the detector, recorded with results.</summary>
    string Name { get; }

    IReadOnlyList<FaceRegion> Detect(ReadOnlySpan<byte> rgb24, int width, int height);
}
