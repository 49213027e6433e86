using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;

namespace Media.UnitTests.Analysis;

public sealed class UtteranceSoundTests
{
    private static readonly TimeRange[] Heard =
    [
        new(2.3, 5.1), new(58.9, 70.2), new(61.016, 63.4), new(119.5, 121.0), new(130.2, 131.7), new(175.0, 176.0),
    ];

    [Fact]
    public void Blocks_ByWhereUtterancesStart_DecodedFromAFixedWindow()
    {
        var blocks = UtteranceSound.Blocks(Heard);

        Assert.Equal([(0.0, 81.4), (59.0, 141.4), (119.0, 201.4)], blocks.Select(b => (b.From, Math.Round(b.Until, 3))));
        Assert.Equal([2, 2, 2], blocks.Select(b => b.Utterances.Count));
        // Every utterance lies in its block's decode, after the preroll (none before the source's start).
        Assert.All(blocks, b => Assert.All(b.Utterances, u => Assert.True(u.Start >= b.From && u.End <= b.Until)));
        Assert.All(blocks.Skip(1), b => Assert.All(b.Utterances, u => Assert.True(u.Start >= b.From + UtteranceSound.PrerollSeconds)));
        Assert.True(UtteranceSound.ReachSeconds > SpeechUtterances.LongestSeconds);
    }

    [Fact]
    public void Blocks_DoNotDependOnWhichUtterancesAWorkerOwns()
    {
        var all = UtteranceSound.Blocks(Heard);
        // A chunk owning the utterances from 61 s to 131 s: block 1 shared with its neighbour, block 2 with the next.
        var some = UtteranceSound.Blocks([.. Heard.Where(u => u.Start >= 61 && u.Start < 131)]);

        Assert.Equal([(all[1].From, all[1].Until), (all[2].From, all[2].Until)], some.Select(b => (b.From, b.Until)));
    }

    [Fact]
    public void Layout_PutsAnUtteranceOnTheSameSamplesOfItsBlock_InEveryLayout()
    {
        var all = UtteranceSound.Blocks(Heard);
        var some = UtteranceSound.Blocks([.. Heard.Skip(2)]);
        var wide = new UtteranceSound.Layout(all);
        var narrow = new UtteranceSound.Layout(some);

        // Each block starts at a whole second, after the previous block's sound and the gap, whatever the source's length.
        Assert.Equal([0, 82 + UtteranceSound.GapSeconds, 82 + 83 + (2 * UtteranceSound.GapSeconds)], wide.Starts);
        Assert.Equal([82 + UtteranceSound.GapSeconds, 83 + UtteranceSound.GapSeconds, 83 + UtteranceSound.GapSeconds], wide.Seconds);
        var inWide = wide.Utterances().Skip(2).Select((u, i) => Relative(u, wide, i < 2 ? 1 : 2)).ToList();
        var inNarrow = narrow.Utterances().Select((u, i) => Relative(u, narrow, i < 2 ? 0 : 1)).ToList();
        Assert.Equal(inWide, inNarrow);
        // On the recogniser's 10 ms frames, whatever the block's start.
        Assert.All(wide.Utterances(), u => Assert.Equal(u.Start * 100, Math.Round(u.Start * 100), 6));
        Assert.Equal((2.02, 2.38), (inWide[0].Start, Math.Round(inWide[0].End - inWide[0].Start, 3)));
    }

    [Fact]
    public void Layout_WordsBackOnTheSourceClock()
    {
        var blocks = UtteranceSound.Blocks(Heard);
        var layout = new UtteranceSound.Layout(blocks);
        var second = layout.Starts[1];

        // Said at 2.02 s into block 1 (from 59 s): 61.02 s of the source.
        Assert.Equal(new Word("hello", 61.02, 61.4, 0.9), layout.ToSource(new Word("hello", second + 2.02, second + 2.4, 0.9)));
        Assert.Equal(new Word("first", 2.5, 2.9, 0.8), layout.ToSource(new Word("first", 2.5, 2.9, 0.8)));
        Assert.Null(layout.ToSource(new Word("after", layout.Starts[2] + layout.Seconds[2] + 1, layout.Starts[2] + layout.Seconds[2] + 2, 0.5)));
    }

    [Fact]
    public void WhisperWindows_NeverSpanTwoBlocks()
    {
        // Utterances packed as closely across block edges as the plan allows.
        TimeRange[] dense = [.. Enumerable.Range(0, 60).Select(i => new TimeRange(i * 3.0, (i * 3.0) + 2.9))];
        var blocks = UtteranceSound.Blocks(dense);
        var layout = new UtteranceSound.Layout(blocks);

        var windows = WhisperRecognizer.Windows(layout.Utterances());

        Assert.All(windows, w => Assert.Equal(1, layout.Starts.Select((s, i) => (s, i)).Count(b => w.Start < b.s + layout.Seconds[b.i] && w.End > b.s)));
        Assert.True(windows.Count < dense.Length / 3, $"{windows.Count} windows: neighbours within a block are still heard together");
    }

    [Fact]
    public void WhisperWindows_ExactlyThirtySeconds_GroupedAlikeWhereverTheBlockLies()
    {
        // Two utterances spanning exactly 30.00 s of their block: one window, at any whole second of the file.
        foreach (var start in new[] { 0, 83, 112, 225, 1013, 3389 })
        {
            var windows = WhisperRecognizer.Windows([new TimeRange(start + 1.07, start + 5.0), new TimeRange(start + 27.31, start + 31.07)]);

            Assert.Single(windows);
        }
    }

    private static TimeRange Relative(TimeRange u, UtteranceSound.Layout layout, int block) =>
        new(Math.Round(u.Start - layout.Starts[block], 6), Math.Round(u.End - layout.Starts[block], 6));
}
