namespace Media.Pipelines.Faces;

/// <summary>A detected face, in fractions of the frame (0..1), with the detector's confidence.</summary>
public sealed record FaceRegion(float X, float Y, float Width, float Height, float Score)
{
    public float Area => Width * Height;

    public float CenterX => X + Width / 2;

    public float CenterY => Y + Height / 2;
}
