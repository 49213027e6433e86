using Media.Pipelines.Faces;

namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>A scored candidate frame; every part of the score is kept so choices can be explained.</summary>
public sealed record FrameCandidate(
    double TimeSeconds,
    double Sharpness,
    double Exposure,
    double Contrast,
    double Transition,
    double FaceScore,
    IReadOnlyList<FaceRegion> Faces,
    double Score);
