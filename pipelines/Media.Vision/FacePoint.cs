namespace Media.Vision;

/// <summary>A point normalized to the input frame: (0, 0) is the top-left corner, (1, 1) the bottom-right.</summary>
public readonly record struct FacePoint(float X, float Y);
