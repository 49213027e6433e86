using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Media.Platform.Bus;

/// <summary>
/// The embedded transport: one unbounded channel per (topic, group). Messages published to a topic no group
/// has joined yet are held and handed to the first group that joins, so start-up order does not lose work.
/// Nothing survives the process: the orchestrator's leases re-dispatch what was in flight.
/// </summary>
public sealed class InProcessBus : IMessageBus
{
    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);

    public bool IsDurable => false;

    public ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        GetTopic(message.Topic).Publish(message);
        return ValueTask.CompletedTask;
    }

    public IBusSubscription Subscribe(string group, IReadOnlyList<TopicWeight> topics)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        if (topics.Count == 0)
        {
            throw new ArgumentException("At least one topic is needed.", nameof(topics));
        }

        var sources = topics.Select(t => new WeightedReader(GetTopic(t.Topic).Join(group), Math.Max(1, t.Weight))).ToArray();
        return new Subscription(sources);
    }

    private TopicState GetTopic(string topic) => _topics.GetOrAdd(topic, static _ => new TopicState());

    private sealed class TopicState
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Channel<BusMessage>> _groups = new(StringComparer.Ordinal);
        private readonly Queue<BusMessage> _unclaimed = new();

        public void Publish(BusMessage message)
        {
            lock (_gate)
            {
                if (_groups.Count == 0)
                {
                    _unclaimed.Enqueue(message);
                    return;
                }

                foreach (var channel in _groups.Values)
                {
                    channel.Writer.TryWrite(message);
                }
            }
        }

        public ChannelReader<BusMessage> Join(string group)
        {
            lock (_gate)
            {
                if (!_groups.TryGetValue(group, out var channel))
                {
                    channel = Channel.CreateUnbounded<BusMessage>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
                    _groups.Add(group, channel);
                    while (_unclaimed.TryDequeue(out var held))
                    {
                        channel.Writer.TryWrite(held);
                    }
                }

                return channel.Reader;
            }
        }
    }

    private sealed class WeightedReader(ChannelReader<BusMessage> reader, int weight)
    {
        public ChannelReader<BusMessage> Reader { get; } = reader;

        public int Weight { get; } = weight;

        public int Credit { get; set; }
    }

    private sealed class Subscription(WeightedReader[] sources) : IBusSubscription
    {
        private readonly SemaphoreSlim _receiveGate = new(1, 1);

        public async ValueTask<BusDelivery> ReceiveAsync(CancellationToken cancellationToken)
        {
            await _receiveGate.WaitAsync(cancellationToken);
            try
            {
                while (true)
                {
                    if (TryTakeWeighted(out var message))
                    {
                        return new BusDelivery(message);
                    }

                    var waits = sources.Select(s => s.Reader.WaitToReadAsync(cancellationToken).AsTask());
                    await Task.WhenAny(waits);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                _receiveGate.Release();
            }
        }

        // Smooth weighted round robin over the topics that have something waiting, so a flood on one
        // topic slows, but never starves, the others.
        private bool TryTakeWeighted(out BusMessage message)
        {
            var total = 0;
            WeightedReader? best = null;
            foreach (var source in sources)
            {
                if (source.Reader.Count == 0)
                {
                    continue;
                }

                source.Credit += source.Weight;
                total += source.Weight;
                if (best is null || source.Credit > best.Credit)
                {
                    best = source;
                }
            }

            if (best is not null && best.Reader.TryRead(out message!))
            {
                best.Credit -= total;
                return true;
            }

            foreach (var source in sources)
            {
                if (source.Reader.TryRead(out message!))
                {
                    return true;
                }
            }

            message = null!;
            return false;
        }

        public ValueTask DisposeAsync()
        {
            _receiveGate.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
