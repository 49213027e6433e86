using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class SpeechUtterancesTests
{
    private static readonly double W = SileroVad.WindowSeconds;

    [Fact]
    public void LongSpeech_SplitAtTheQuietestWindowNearEachMark_PaddedAtItsEdgesOnly()
    {
        // Speech from 2.016 s (the first window from 2 s) to 40 s; quieter (but not silent) at 16.0 s and 29.024 s.
        var p = Probabilities(45, t => t >= 2 && t < 40 ? 0.9f : 0.05f);
        p[Window(16.0)] = 0.4f;
        p[Window(29.024)] = 0.45f;
        p[Window(29.6)] = 0.5f;

        var utterances = SpeechUtterances.Plan(p, W, 0, toSourceEnd: true);

        Assert.Equal(3, utterances.Count);
        Assert.Equal((1.816, 16.0), Round(utterances[0]));
        Assert.Equal((16.0, 29.024), Round(utterances[1]));
        Assert.Equal((29.024, 40.2), Round(utterances[2]));
    }

    [Fact]
    public void Padding_StopsHalfwayToTheNeighbour_AndTheDecodesEdges()
    {
        // Two segments 0.192 s apart (2.016 to 2.208 s), the first from the decode's start.
        var p = Probabilities(6, t => t < 2 || (t >= 2.192 && t < 4) ? 0.9f : 0.05f);

        var utterances = SpeechUtterances.Plan(p, W, 100, toSourceEnd: true);

        Assert.Equal([(100.0, 102.112), (102.112, 104.2)], utterances.Select(Round));
    }

    [Fact]
    public void UtteranceRunningPastTheDecode_LeftOutUnlessTheSourceEndsThere()
    {
        var p = Probabilities(10, t => t >= 1 && t < 3 || t >= 8 ? 0.9f : 0.05f);

        Assert.Equal([(0.824, 3.208)], SpeechUtterances.Plan(p, W, 0, toSourceEnd: false).Select(Round));
        Assert.Equal([(0.824, 3.208), (7.8, 9.984)], SpeechUtterances.Plan(p, W, 0, toSourceEnd: true).Select(Round));
    }

    [Theory]
    [InlineData(12, 1)]
    [InlineData(32, 2)]
    [InlineData(120, 3)]
    public void Chunks_FindTheUtterancesOfOnePass(double chunkSeconds, int seed)
    {
        // Ten minutes of talk: phrases of 0.3-40 s between pauses of 0.05-2 s, the voice activity wavering inside them.
        var random = new Random(seed);
        var p = new float[(int)(600 / W)];
        var i = 0;
        while (i < p.Length)
        {
            var speech = (int)((0.3 + (random.NextDouble() * random.NextDouble() * 40)) / W);
            for (var k = 0; k < speech && i < p.Length; k++, i++)
            {
                p[i] = 0.55f + (0.45f * (float)random.NextDouble());
            }

            var pause = (int)((0.05 + (random.NextDouble() * 2)) / W);
            for (var k = 0; k < pause && i < p.Length; k++, i++)
            {
                p[i] = 0.3f * (float)random.NextDouble();
            }
        }

        var whole = SpeechUtterances.Plan(p, W, 0, toSourceEnd: true);
        Assert.Contains(whole, u => u.Duration > SpeechUtterances.SplitEverySeconds); // long speech was split somewhere
        Assert.DoesNotContain(whole, u => u.Duration > SpeechUtterances.LongestSeconds + 1e-6);

        // Each chunk decoded as the analysis decodes it: from the lead before it to the reach past it.
        var joined = new List<TimeRange>();
        foreach (var range in AnalysisChunks.Ranges(600, 1, chunkSeconds))
        {
            var last = range.End >= 600;
            var from = Math.Max(0, range.Start - AnalysisChunks.LeadSeconds);
            var until = last ? 600 : range.End + SpeechUtterances.ReachSeconds;
            var decoded = p[(int)Math.Round(from / W)..Math.Min(p.Length, (int)Math.Round(until / W))];
            joined.AddRange(SpeechUtterances.Plan(decoded, W, from, toSourceEnd: last)
                .Where(u => u.Start >= range.Start - 1e-6 && (last || u.Start < range.End - 1e-6)));
        }

        Assert.Equal(whole.Select(Round), joined.Select(Round));
    }

    private static float[] Probabilities(double seconds, Func<double, float> at) =>
        [.. Enumerable.Range(0, (int)Math.Round(seconds / W)).Select(i => at(i * W))];

    private static int Window(double seconds) => (int)Math.Round(seconds / W);

    private static (double, double) Round(TimeRange range) => (Math.Round(range.Start, 3), Math.Round(range.End, 3));
}
