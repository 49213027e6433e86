namespace Media.Pipelines.Speech;

/// <summary>
/// How sure the recogniser was of a transcript's words: their mean confidence and the share under
/// <see cref="LowThreshold"/> (the words that never become keywords, hashtags or highlights). A script-aligned
/// transcript is the client's own words: trusted whatever the audio.
/// </summary>
public sealed record TranscriptConfidence(int Words, double Mean, double LowShare, bool ScriptAligned, string Recognizer)
{
    /// <summary>A word under this confidence is a guess (the same bar as <see cref="Publishing.Keywords.MinConfidence"/>).</summary>
    public const double LowThreshold = Publishing.Keywords.MinConfidence;

    public static TranscriptConfidence Of(Transcript transcript)
    {
        var words = transcript.Words;
        return words.Count == 0
            ? new TranscriptConfidence(0, 0, 0, transcript.ScriptAligned, transcript.Backend)
            : new TranscriptConfidence(
                words.Count,
                Math.Round(words.Average(w => w.Confidence), 3),
                Math.Round(words.Count(w => w.Confidence < LowThreshold) / (double)words.Count, 3),
                transcript.ScriptAligned,
                transcript.Backend);
    }

    /// <summary>
    /// Whether captions from these words deserve a warning: recognised freely (no script) with a mean confidence under
    /// <paramref name="floor"/>. The words still go out (a warning, not a failure): some captions beat none, but the
    /// client is told.
    /// </summary>
    public bool IsDoubtful(double floor) => !ScriptAligned && Words > 0 && Mean < floor;

    public string Warning(double floor) => FormattableString.Invariant(
        $"The captions come from {Words} words that {Recognizer} recognised with a mean confidence of {Mean:0.00} (under {floor:0.00}); {LowShare * 100:0}% of them under {LowThreshold:0.0}. They are likely to be wrong in places: pass the filmed script as the 'script' parameter (the captions then show its words, timed to the audio), or use the whisper backend (Media:Speech:Backend).");
}
