using Media.Pipelines.Tools;

namespace Media.UnitTests.Workers;

/// <summary>How a pinned worker shares its cores among its slots (Media:Worker:PinSlots).</summary>
public sealed class ToolCpusTests
{
    [Theory]
    [InlineData("0-1", "0,1")]
    [InlineData("0-3,8,10-11", "0,1,2,3,8,10,11")]
    [InlineData("5", "5")]
    [InlineData("2,0,1,1", "0,1,2")]
    public void Parse_TasksetAndProcLists(string list, string cores) =>
        Assert.Equal(cores, string.Join(',', ToolCpus.Parse(list)));

    // allowed cores, slots -> each slot's cores ("-": not pinned)
    [Theory]
    [InlineData("0-1", 2, "0|1")]
    [InlineData("0-15", 2, "0-7|8-15")]
    [InlineData("0-15", 3, "0-5|6-10|11-15")]
    [InlineData("0-2", 2, "0-1|2")]
    [InlineData("2-3,6-7", 2, "2-3|6-7")]
    [InlineData("0,2,4,6", 1, "0,2,4,6")]
    [InlineData("0", 2, "-")]
    public void Split_EqualContiguousShares_NoneWhenFewerCoresThanSlots(string allowed, int slots, string expected)
    {
        var split = ToolCpus.Split(ToolCpus.Parse(allowed), slots);

        Assert.Equal(expected, split is null ? "-" : string.Join('|', split));
    }

    [Fact]
    public async Task Use_FlowsToTheWorksAsyncCalls_AndEndsWithItsScope()
    {
        Assert.Null(ToolCpus.Current);
        using (ToolCpus.Use("3"))
        {
            await Task.Yield();
            Assert.Equal("3", await Task.Run(() => ToolCpus.Current));
        }

        Assert.Null(ToolCpus.Current);
    }
}
