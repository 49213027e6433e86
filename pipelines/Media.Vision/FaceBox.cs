namespace Media.Vision;

/// <summary>
/// A detected face. <see cref="X"/>, <see cref="Y"/> (top-left), <see cref="Width"/> and <see cref="Height"/> are
/// normalized to the input frame (0..1, clamped to it), so they survive any later rescaling of the frame.
/// </summary>
/// <param name="Score">Confidence in [0, 1].</param>
/// <param name="Keypoints">
/// The six BlazeFace landmarks in MediaPipe order: right eye, left eye, nose tip, mouth centre, right ear, left ear
/// (the subject's right, so index 0 is on the image's left for an unmirrored frame). Not clamped: an ear may lie
/// just outside the frame.
/// </param>
public sealed record FaceBox(float X, float Y, float Width, float Height, float Score, IReadOnlyList<FacePoint> Keypoints)
{
    public const int KeypointCount = 6;

    public float CenterX => X + (Width / 2);

    public float CenterY => Y + (Height / 2);
}
