namespace Media.Pipelines.Speakers;

/// <summary>A stretch of the output that follows one person (<see cref="Track"/>; null: nobody yet, the largest face).</summary>
public sealed record SpeakerShot(double Start, double End, int? Track);
