namespace Media.Pipelines.Speech;

/// <summary>A recognised (or script) word with its time in seconds and the recogniser's confidence (0..1; 1 for interpolated script words is not claimed: they get 0).</summary>
public sealed record Word(string Text, double Start, double End, double Confidence);

/// <summary>Words of a source, and which backend and model produced them.</summary>
/// <param name="ScriptAligned">True when the words are the job's script, timed against the audio.</param>
public sealed record Transcript(string Backend, string Model, IReadOnlyList<Word> Words, bool ScriptAligned = false);
