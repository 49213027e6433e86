using System.Text;
using Media.Platform.Bus;

namespace Media.UnitTests.Platform;

public sealed class InProcessBusTests
{
    private static BusMessage Message(string topic, string text) => new(topic, "k", Encoding.UTF8.GetBytes(text));

    private static string Text(BusDelivery delivery) => Encoding.UTF8.GetString(delivery.Message.Payload.Span);

    [Fact]
    public async Task Subscribe_SameGroup_SharesMessagesBetweenMembers()
    {
        var bus = new InProcessBus();
        await using var a = bus.Subscribe("g", [new("t")]);
        await using var b = bus.Subscribe("g", [new("t")]);
        for (var i = 0; i < 4; i++)
        {
            await bus.PublishAsync(Message("t", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            received.Add(Text(await a.ReceiveAsync(timeout.Token)));
            received.Add(Text(await b.ReceiveAsync(timeout.Token)));
        }

        Assert.Equal(["0", "1", "2", "3"], received.Order());
    }

    [Fact]
    public async Task Subscribe_TwoGroups_EachGetsEveryMessage()
    {
        var bus = new InProcessBus();
        await using var a = bus.Subscribe("g1", [new("t")]);
        await using var b = bus.Subscribe("g2", [new("t")]);

        await bus.PublishAsync(Message("t", "x"), CancellationToken.None);

        Assert.Equal("x", Text(await a.ReceiveAsync(CancellationToken.None)));
        Assert.Equal("x", Text(await b.ReceiveAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task Publish_BeforeAnyGroupJoins_IsHeldForTheFirstGroup()
    {
        var bus = new InProcessBus();
        await bus.PublishAsync(Message("t", "early"), CancellationToken.None);

        await using var late = bus.Subscribe("g", [new("t")]);

        Assert.Equal("early", Text(await late.ReceiveAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task Receive_WeightedTopics_FavoursHighButNeverStarvesBulk()
    {
        var bus = new InProcessBus();
        await using var sub = bus.Subscribe("w", [new("high", 6), new("normal", 3), new("bulk", 1)]);
        for (var i = 0; i < 100; i++)
        {
            await bus.PublishAsync(Message("high", "h"), CancellationToken.None);
            await bus.PublishAsync(Message("normal", "n"), CancellationToken.None);
            await bus.PublishAsync(Message("bulk", "b"), CancellationToken.None);
        }

        var first50 = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            first50.Add(Text(await sub.ReceiveAsync(CancellationToken.None)));
        }

        Assert.Equal(30, first50.Count(x => x == "h"));
        Assert.Equal(15, first50.Count(x => x == "n"));
        Assert.Equal(5, first50.Count(x => x == "b"));
    }

    [Fact]
    public async Task Receive_Cancelled_Throws()
    {
        var bus = new InProcessBus();
        await using var sub = bus.Subscribe("g", [new("t")]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sub.ReceiveAsync(cts.Token));
    }
}
