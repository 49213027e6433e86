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
        GetTopic(message.Topic).Publish(message with { Headers = Telemetry.FarmTelemetry.WithTraceContext(message.Headers) });
        return ValueTask.CompletedTask;
    }

    public IBusSubscription Subscribe(string group, IReadOnlyList<TopicWeight> topics, bool onlyNewMessages = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        if (topics.Count == 0)
        {
            throw new ArgumentException("At least one topic is needed.", nameof(topics));
        }

        var readers = topics.Select(t => GetTopic(t.Topic).Join(group)).ToArray();
        return new Subscription(readers, new WeightedRoundRobin(topics.Select(t => Math.Max(1, t.Weight)).ToArray()));
    }

    private TopicState GetTopic(string topic) => _topics.GetOrAdd(topic, static _ => new TopicState());

    private sealed class TopicState
    {
        private const int MaxUnclaimed = 10_000;
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Channel<BusMessage>> _groups = new(StringComparer.Ordinal);
        private readonly Queue<BusMessage> _unclaimed = new();

        public void Publish(BusMessage message)
        {
            lock (_gate)
            {
                if (_groups.Count == 0)
                {
                    // Kept for the first group to join (a worker starting after the API). A topic nobody in this
                    // process reads (media.dlq on a single machine) must not grow without end: keep the newest.
                    if (_unclaimed.Count >= MaxUnclaimed)
                    {
                        _unclaimed.Dequeue();
                    }

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

    private sealed class Subscription(ChannelReader<BusMessage>[] readers, WeightedRoundRobin weights) : IBusSubscription
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

                    // The waits that do not fire are cancelled, or they would pile up on quiet topics for the process's life.
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var waits = readers.Select(r => r.WaitToReadAsync(waiting.Token).AsTask()).ToArray();
                    await Task.WhenAny(waits);
                    await waiting.CancelAsync();
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                _receiveGate.Release();
            }
        }

        private bool TryTakeWeighted(out BusMessage message)
        {
            var next = weights.Next(i => readers[i].Count > 0);
            if (next >= 0 && readers[next].TryRead(out message!))
            {
                return true;
            }

            foreach (var reader in readers)
            {
                if (reader.TryRead(out message!))
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
