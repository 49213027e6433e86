using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class VoiceActivityBlocksTests
{
    [Fact]
    public void Blocks_OnTheSourcesClock_EachDecodedFromItsOwnWarmup_TheLastToTheEnd()
    {
        Assert.Equal(1875, VoiceActivityBlocks.WindowsPerBlock);
        Assert.Equal((new DecodeWindow(0, 60), 0), VoiceActivityBlocks.Decode(0, last: false));
        Assert.Equal((new DecodeWindow(112, 180), 250), VoiceActivityBlocks.Decode(2, last: false));
        Assert.Equal((new DecodeWindow(172, null), 250), VoiceActivityBlocks.Decode(3, last: true));
        Assert.Equal((new DecodeWindow(0, null), 0), VoiceActivityBlocks.Decode(0, last: true));
        // Whole windows: a block's first window starts exactly at its edge, after whole windows of warm-up.
        Assert.Equal(0, (VoiceActivityBlocks.BlockSeconds / SileroVad.WindowSeconds) % 1, 9);
        Assert.Equal(0, (VoiceActivityBlocks.WarmupSeconds / SileroVad.WindowSeconds) % 1, 9);
    }
}
