using System.Text.Json.Serialization;

namespace Media.Pipelines.Speakers;

/// <summary>
/// A stretch of speech and who said it: <see cref="Track"/> is the speaking face's track, null where no face's mouth
/// agreed with the voice clearly enough (off-screen speech, or faces too small to read). <see cref="Confidence"/>
/// (0..1) is the share of the stretch's samples on which that face's mouth moved clearly more than any other's.
/// </summary>
public sealed record SpeakerTurn(double Start, double End, int? Track, double Confidence)
{
    [JsonIgnore]
    public double Duration => End - Start;
}
