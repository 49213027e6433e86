namespace Media.Pipelines.Faces;

/// <summary>
/// A detected face, in fractions of the frame (0..1), with the detector's confidence and, when the detector finds
/// landmarks, the centre of the mouth (same units).
/// </summary>
public sealed record FaceRegion(float X, float Y, float Width, float Height, float Score, float? MouthX = null, float? MouthY = null)
{
    public float Area => Width * Height;

    public float CenterX => X + Width / 2;

    public float CenterY => Y + Height / 2;
}
