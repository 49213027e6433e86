using Media.Pipelines.Speech;

namespace Media.UnitTests.Captions;

public sealed class TranscriptConfidenceTests
{
    private static Transcript Heard(bool script, params double[] confidences) =>
        new("pocketsphinx", "en-us", [.. confidences.Select((c, i) => new Word($"w{i}", i, i + 0.5, c))], script);

    // confidences, script-aligned -> mean, share under 0.3, warned at the 0.6 floor
    [Theory]
    [InlineData(new[] { 0.9, 0.8, 0.7, 0.6 }, false, 0.75, 0.0, false)]
    [InlineData(new[] { 0.9, 0.2, 0.1, 0.025 }, false, 0.306, 0.75, true)]
    [InlineData(new[] { 0.9, 0.2, 0.1, 0.025 }, true, 0.306, 0.75, false)] // the client's script: trusted
    [InlineData(new double[0], false, 0.0, 0.0, false)] // nothing said, nothing to doubt
    public void Of_MeanLowShareAndDoubt(double[] confidences, bool script, double mean, double lowShare, bool doubtful)
    {
        var confidence = TranscriptConfidence.Of(Heard(script, confidences));

        Assert.Equal((confidences.Length, mean, lowShare, script, "pocketsphinx"), (confidence.Words, confidence.Mean, confidence.LowShare, confidence.ScriptAligned, confidence.Recognizer));
        Assert.Equal(doubtful, confidence.IsDoubtful(0.6));
        Assert.False(confidence.IsDoubtful(0)); // 0 = never warn
    }

    [Fact]
    public void Warning_SaysHowSureAndWhatToDo()
    {
        var warning = TranscriptConfidence.Of(Heard(false, 0.9, 0.2, 0.1, 0.025)).Warning(0.6);

        Assert.Equal(
            "The captions come from 4 words that pocketsphinx recognised with a mean confidence of 0.31 (under 0.60); 75% of them under 0.3. "
            + "They are likely to be wrong in places: pass the filmed script as the 'script' parameter (the captions then show its words, timed to the audio), or use the whisper backend (Media:Speech:Backend).",
            warning);
    }
}
