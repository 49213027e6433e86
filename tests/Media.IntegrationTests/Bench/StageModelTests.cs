using Media.Bench;

namespace Media.IntegrationTests.Bench;

/// <summary>The critical-path model behind bench-scale's predictions for more workers than this machine has.</summary>
public sealed class StageModelTests
{
    // probe 1 s; four chunks of 10 s and a thumbnail of 3 s after it; the merge (2 s) after the chunks; two renders after the merge.
    private static readonly StageModel.Stage[] Job =
    [
        new("probe", 1, []),
        new("chunk1", 10, ["probe"]),
        new("thumbs", 3, ["probe"]),
        new("chunk2", 10, ["probe"]),
        new("chunk3", 10, ["probe"]),
        new("chunk4", 10, ["probe"]),
        new("merge", 2, ["chunk1", "chunk2", "chunk3", "chunk4"]),
        new("clip1", 20, ["merge"]),
        new("clip2", 5, ["merge"]),
    ];

    [Theory]
    [InlineData(1, 46, 66, 71)] // one after another: 1 + 40 + 3 + 2, then 20 and 5
    [InlineData(2, 26, 46, 46)] // chunk 1 (1-11) beside the thumbnail (1-4) and chunk 2 (4-14); chunk 3 11-21, chunk 4 14-24
    [InlineData(4, 16, 36, 36)] // the worker that ran the thumbnail (1-4) takes chunk 4 (4-14)
    [InlineData(8, 13, 33, 33)] // every chunk at once: the merge after the longest one
    public void Schedule_ListSchedulingInTheGivenOrder(int workers, double merged, double firstClip, double done)
    {
        var ends = StageModel.Schedule(Job, workers);

        Assert.Equal(merged, ends["merge"], 6);
        Assert.Equal(firstClip, ends["clip1"], 6);
        Assert.Equal(done, ends.Values.Max(), 6);
    }

    [Fact]
    public void Schedule_StartsAtTheGivenTime_AndRefusesAStageBeforeWhatItWaitsFor()
    {
        Assert.Equal(11.5, StageModel.Schedule([new("probe", 1, []), new("chunk", 10, ["probe"])], 2, start: 0.5)["chunk"], 6);
        Assert.Throws<ArgumentException>(() => StageModel.Schedule([new("chunk", 10, ["probe"]), new("probe", 1, [])], 2));
    }
}
