using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class SpeechSegmenterTests
{
    private static float[] Probabilities(string pattern) => pattern.Select(c => c switch { 'S' => 0.9f, 'm' => 0.4f, _ => 0.05f }).ToArray();

    [Fact]
    public void Segments_HysteresisBridgesShortGapsAndDropsBlips()
    {
        // 0.1 s windows: speech 0.2-1.0 with a 0.1 s dip, a 0.1 s blip at 1.5, speech 2.0-2.5; 'm' (0.4) stays on once started.
        var segmenter = new SpeechSegmenter { MinSpeechSeconds = 0.25, MinGapSeconds = 0.15 };

        var segments = segmenter.Segments(Probabilities("..SSSS.SSS.....S....SSmSS"), 0.1);

        Assert.Equal(2, segments.Count);
        Assert.Equal(0.2, segments[0].Start, 6);
        Assert.Equal(1.0, segments[0].End, 6);
        Assert.Equal(2.0, segments[1].Start, 6);
        Assert.Equal(2.5, segments[1].End, 6);
    }

    [Fact]
    public void Segments_NoSpeech_IsEmpty()
    {
        Assert.Empty(new SpeechSegmenter().Segments(Probabilities("...m...."), 0.032));
    }
}
