using System.Text.Json.Serialization;

namespace Media.Pipelines.Speakers;

/// <summary>
/// One face on one frame, in fractions of the frame (0..1), and how much its mouth moved since the previous sample
/// (<see cref="MouthMotion"/>; null when the face was not on the previous sample).
/// </summary>
public sealed record FaceSighting(float X, float Y, float Width, float Height, float Score, float? Mouth)
{
    [JsonIgnore]
    public float CenterX => X + (Width / 2);

    [JsonIgnore]
    public float CenterY => Y + (Height / 2);
}
