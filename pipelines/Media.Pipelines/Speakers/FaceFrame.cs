namespace Media.Pipelines.Speakers;

/// <summary>Every face found on one sampled frame (the raw input of the tracker), on the source's clock.</summary>
public sealed record FaceFrame(double TimeSeconds, IReadOnlyList<FaceSighting> Faces);
