using System.Diagnostics;
using System.Text;
using Media.Platform.Bus;
using Media.Platform.Bus.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests.Bus;

/// <summary>The Kafka bus against librdkafka's mock cluster over TCP.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBusTests(KafkaMockFixture cluster) : IDisposable
{
    private readonly KafkaBus _bus = new(
        Options.Create(new KafkaBusOptions { BootstrapServers = cluster.BootstrapServers, CreateTopics = false, SessionTimeoutMs = 6000, MaxPollIntervalMs = 7000 }),
        NullLoggerFactory.Instance);

    private static BusMessage Message(string topic, string text, string key = "k") => new(topic, key, Encoding.UTF8.GetBytes(text));

    private static string Text(BusDelivery delivery) => Encoding.UTF8.GetString(delivery.Message.Payload.Span);

    private string NewTopic(int partitions = 2)
    {
        var topic = "test." + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(topic, partitions);
        return topic;
    }

    [Fact]
    public async Task Subscribe_TwoGroups_EachGetsEveryMessage_WithHeaders()
    {
        var topic = NewTopic();
        await using var a = _bus.Subscribe("g-a-" + topic, [new(topic)]);
        await using var b = _bus.Subscribe("g-b-" + topic, [new(topic)]);
        using var activity = new Activity("test").Start();

        await _bus.PublishAsync(Message(topic, "hello") with { Headers = new Dictionary<string, string> { ["x-job"] = "j1" } }, CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var fromA = await a.ReceiveAsync(timeout.Token);
        var fromB = await b.ReceiveAsync(timeout.Token);
        Assert.Equal(("hello", "hello"), (Text(fromA), Text(fromB)));
        Assert.Equal("j1", fromA.Message.Headers["x-job"]);
        Assert.Equal(activity.Id, fromA.Message.Headers["traceparent"]);
    }

    [Fact]
    public async Task TopicPrefix_FarmTopicsLiveUnderItOnTheClusterAndKeepTheirNamesInTheFarm()
    {
        var prefix = "acme" + Guid.NewGuid().ToString("N")[..8] + ".";
        cluster.CreateTopic(prefix + "events", 2);
        using var prefixed = new KafkaBus(
            Options.Create(new KafkaBusOptions { BootstrapServers = cluster.BootstrapServers, CreateTopics = false, SessionTimeoutMs = 6000, TopicPrefix = prefix }),
            NullLoggerFactory.Instance);
        await using var farm = prefixed.Subscribe("g-" + prefix, [new(Topics.Events)]);
        await using var raw = _bus.Subscribe("g-raw-" + prefix, [new(prefix + "events")]);

        await prefixed.PublishAsync(Message(Topics.Events, "event"), CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var inFarm = await farm.ReceiveAsync(timeout.Token);
        var onCluster = await raw.ReceiveAsync(timeout.Token);
        Assert.Equal((Topics.Events, "event"), (inFarm.Message.Topic, Text(inFarm)));
        Assert.Equal((prefix + "events", "event"), (onCluster.Message.Topic, Text(onCluster)));
        Assert.Equal("acme-prod.stages.gpu.bulk", KafkaTopicsInitializer.PhysicalName(Topics.Stages("gpu", Media.Protos.V1.Priority.Bulk), "acme-prod."));
    }

    [Fact]
    public async Task Receive_AcknowledgedMessages_AreNotRedeliveredToTheNextMember()
    {
        var topic = NewTopic();
        var group = "g-ack-" + topic;
        for (var i = 0; i < 4; i++)
        {
            await _bus.PublishAsync(Message(topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture), key: "same"), CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using (var first = _bus.Subscribe(group, [new(topic)]))
        {
            for (var i = 0; i < 2; i++)
            {
                await (await first.ReceiveAsync(timeout.Token)).AcknowledgeAsync();
            }

            // Let the poll thread store the offsets and auto-commit run before the member leaves.
            await Task.Delay(1500);
        }

        await using var second = _bus.Subscribe(group, [new(topic)]);
        Assert.Equal("2", Text(await second.ReceiveAsync(timeout.Token)));
    }

    [Fact]
    public async Task Receive_HolderIdleLongerThanMaxPollInterval_NoRebalanceNoDuplicate()
    {
        // A worker busy with a long render stops calling Receive; the poll thread must keep the membership alive.
        // One partition: while `busy` stays a healthy member, `other` (same group) must get nothing at all.
        var topic = NewTopic(partitions: 1);
        var group = "g-long-" + topic;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var busy = (KafkaSubscription)_bus.Subscribe(group, [new(topic)]);
        await _bus.PublishAsync(Message(topic, "render-1", key: "a"), CancellationToken.None);
        var taken = await busy.ReceiveAsync(timeout.Token);
        await taken.AcknowledgeAsync();
        await using var other = (KafkaSubscription)_bus.Subscribe(group, [new(topic)]);

        for (var i = 0; i < 6; i++)
        {
            await _bus.PublishAsync(Message(topic, "filler-" + i, key: "key" + i), CancellationToken.None);
        }

        // Longer than max.poll.interval.ms (7 s) without a single Receive on `busy`.
        var otherSeen = new List<string>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var slice = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            slice.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                var delivery = await other.ReceiveAsync(slice.Token);
                otherSeen.Add(Text(delivery));
                await delivery.AcknowledgeAsync();
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
                // Nothing right now.
            }
        }

        Assert.Equal("render-1", Text(taken));
        Assert.Empty(otherSeen);
        Assert.Equal(0, busy.Revocations);
        var resumed = await busy.ReceiveAsync(timeout.Token);
        Assert.StartsWith("filler-", Text(resumed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsReachable_TrueForTheClusterFalseForNoBroker()
    {
        using var nowhere = new KafkaBus(Options.Create(new KafkaBusOptions { BootstrapServers = "127.0.0.1:1", CreateTopics = false }), NullLoggerFactory.Instance);

        Assert.True(await _bus.IsReachableAsync(CancellationToken.None));
        Assert.False(await nowhere.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Subscribe_TopicPrefetch_OverridesTheDefaultBufferPerTopic()
    {
        // The orchestrator's events need a deep prefetch; stage topics keep the shallow default (2 here).
        var events = NewTopic(partitions: 1);
        var work = NewTopic(partitions: 1);
        for (var i = 0; i < 12; i++)
        {
            await _bus.PublishAsync(Message(events, "e" + i), CancellationToken.None);
            await _bus.PublishAsync(Message(work, "w" + i), CancellationToken.None);
        }

        await using var deep = (KafkaSubscription)_bus.Subscribe("g-deep-" + events, [new(events, Prefetch: 10)]);
        await using var shallow = (KafkaSubscription)_bus.Subscribe("g-shallow-" + work, [new(work)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (deep.Buffered < 10)
        {
            await Task.Delay(50, timeout.Token);
        }

        await Task.Delay(500, timeout.Token);
        Assert.InRange(deep.Buffered, 10, 11);
        Assert.InRange(shallow.Buffered, 2, 3);
    }

    [Fact]
    public async Task Receive_PausedPartitionMovesAwayAndBack_IsResumed()
    {
        // librdkafka keeps a partition's pause across revoke and re-assign: a member whose buffer was full when a
        // rebalance (an outage, a new worker) took its partitions must still resume them when they come back.
        var topic = NewTopic(partitions: 2);
        var group = "g-pause-" + topic;
        var sent = Enumerable.Range(0, 12).Select(i => "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var text in sent)
        {
            await _bus.PublishAsync(Message(topic, text, key: text), CancellationToken.None);
        }

        using var shallow = new KafkaBus(
            Options.Create(new KafkaBusOptions { BootstrapServers = cluster.BootstrapServers, CreateTopics = false, SessionTimeoutMs = 6000, BufferPerTopic = 1 }),
            NullLoggerFactory.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var holder = (KafkaSubscription)shallow.Subscribe(group, [new(topic)]);
        while (holder.Buffered < 1)
        {
            await Task.Delay(50, timeout.Token);
        }

        // Let the poll loop pause both partitions, then make one leave and come back.
        await Task.Delay(500, timeout.Token);
        await using (var visitor = (KafkaSubscription)shallow.Subscribe(group, [new(topic)]))
        {
            while (holder.Revocations == 0)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        var seen = new HashSet<string>();
        while (seen.Count < sent.Count)
        {
            var delivery = await holder.ReceiveAsync(timeout.Token);
            seen.Add(Text(delivery));
            await delivery.AcknowledgeAsync();
        }

        Assert.Equal(sent.ToHashSet(), seen);
    }

    [Fact]
    public async Task Receive_WeightedTopics_FavourHighWithoutStarvingBulk()
    {
        var high = NewTopic();
        var bulk = NewTopic();
        for (var i = 0; i < 30; i++)
        {
            await _bus.PublishAsync(Message(high, "h"), CancellationToken.None);
            await _bus.PublishAsync(Message(bulk, "b"), CancellationToken.None);
        }

        // Weighting applies to what a member has fetched ahead; give it room to hold both backlogs.
        using var deepBus = new KafkaBus(
            Options.Create(new KafkaBusOptions { BootstrapServers = cluster.BootstrapServers, CreateTopics = false, BufferPerTopic = 40 }),
            NullLoggerFactory.Instance);
        await using var sub = (KafkaSubscription)deepBus.Subscribe("g-w-" + high, [new(high, 6), new(bulk, 1)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (sub.Buffered < 60)
        {
            await Task.Delay(100, timeout.Token);
        }

        var seen = new List<string>();
        for (var i = 0; i < 28; i++)
        {
            var delivery = await sub.ReceiveAsync(timeout.Token);
            seen.Add(Text(delivery));
            await delivery.AcknowledgeAsync();
        }

        Assert.Equal(24, seen.Count(x => x == "h"));
        Assert.Equal(4, seen.Count(x => x == "b"));
    }

    public void Dispose() => _bus.Dispose();
}
