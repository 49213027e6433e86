namespace Media.Pipelines.Speakers;

/// <summary>
/// Who is on screen and who speaks: the faces followed as tracks (one per person and shot) and, for each stretch of
/// speech, the track whose mouth moved with it. Measured when a pattern follows the active speaker.
/// </summary>
/// <param name="SampleRate">Frames sampled per second (dense enough to see mouths move).</param>
public sealed record PeopleAnalysis(double SampleRate, IReadOnlyList<PersonTrack> Tracks, IReadOnlyList<SpeakerTurn> Turns);
