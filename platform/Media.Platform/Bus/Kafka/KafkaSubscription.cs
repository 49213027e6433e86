using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Media.Platform.Bus.Kafka;

/// <summary>
/// One consumer-group membership. A dedicated thread polls Kafka continuously: fetched messages go into a
/// small buffer per topic, and a topic whose buffer is full has its partitions paused, not its poll loop
/// stopped, so a stage that outlasts max.poll.interval.ms never causes a rebalance. Offsets are stored when
/// a delivery is acknowledged (on that same thread) and committed by the consumer's auto-commit.
/// </summary>
internal sealed class KafkaSubscription : IBusSubscription
{
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly IReadOnlyList<TopicWeight> _topics;
    private readonly string _prefix;
    private readonly Queue<ConsumeResult<string, byte[]>>[] _buffers;
    private readonly WeightedRoundRobin _weights;
    private readonly int[] _bufferLimits;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly ConcurrentQueue<ConsumeResult<string, byte[]>> _acknowledged = new();
    private readonly HashSet<TopicPartition> _paused = [];

    // Assigned since the last UpdatePauses: their pause state is unknown, because librdkafka keeps a partition's
    // pause across revoke and re-assign; the next pass sets it explicitly either way.
    private readonly HashSet<TopicPartition> _unsettled = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _pollLoop;
    private int _revocations;

    public KafkaSubscription(KafkaBusOptions options, string group, IReadOnlyList<TopicWeight> topics, bool onlyNewMessages, ILogger logger)
    {
        // Everything inside works on the cluster's names; messages handed out carry the farm's own.
        _prefix = options.TopicPrefix;
        _topics = topics.Select(t => t with { Topic = KafkaTopicsInitializer.PhysicalName(t.Topic, _prefix) }).ToList();
        _logger = logger;
        _bufferLimits = topics.Select(t => t.Prefetch ?? options.BufferPerTopic).ToArray();
        _buffers = topics.Select(_ => new Queue<ConsumeResult<string, byte[]>>()).ToArray();
        _weights = new WeightedRoundRobin(topics.Select(t => Math.Max(1, t.Weight)).ToArray());
        _consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            GroupId = group,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = onlyNewMessages ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            SessionTimeoutMs = options.SessionTimeoutMs,
            MaxPollIntervalMs = options.MaxPollIntervalMs,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            FetchWaitMaxMs = options.FetchWaitMaxMs,
        })
            .SetPartitionsAssignedHandler((_, assigned) => _unsettled.UnionWith(assigned))
            .SetPartitionsRevokedHandler((_, revoked) => OnRevoked(revoked.Select(r => r.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, lost) => OnRevoked(lost.Select(l => l.TopicPartition).ToList()))
            .SetErrorHandler((_, error) => _logger.LogWarning("Kafka consumer ({Group}): {Reason}", group, error.Reason))
            .Build();
        _pollLoop = Task.Factory.StartNew(Poll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Messages fetched and waiting for Receive.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffers.Sum(b => b.Count);
            }
        }
    }

    /// <summary>Partitions taken away from this member so far (a rebalance storm shows here).</summary>
    public int Revocations => Volatile.Read(ref _revocations);

    public async ValueTask<BusDelivery> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            ConsumeResult<string, byte[]>? result = null;
            lock (_gate)
            {
                var next = _weights.Next(i => _buffers[i].Count > 0);
                if (next >= 0)
                {
                    result = _buffers[next].Dequeue();
                }
            }

            if (result is null)
            {
                // Its message was dropped when the partition was revoked.
                continue;
            }

            var headers = result.Message.Headers?.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()), StringComparer.Ordinal)
                ?? new Dictionary<string, string>();
            var message = new BusMessage(KafkaTopicsInitializer.LogicalName(result.Topic, _prefix), result.Message.Key ?? string.Empty, result.Message.Value) { Headers = headers };
            return new BusDelivery(message, () =>
            {
                _acknowledged.Enqueue(result);
                return ValueTask.CompletedTask;
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pollLoop;
        _stop.Dispose();
        _available.Dispose();
    }

    private void Poll()
    {
        _consumer.Subscribe(_topics.Select(t => t.Topic));
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                StoreAcknowledged();
                UpdatePauses();
                ConsumeResult<string, byte[]>? result;
                try
                {
                    result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException ex)
                {
                    _logger.LogWarning(ex, "Kafka consume failed: {Reason}", ex.Error.Reason);
                    continue;
                }

                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var index = IndexOf(result.Topic);
                lock (_gate)
                {
                    _buffers[index].Enqueue(result);
                }

                _available.Release();
            }
        }
        finally
        {
            StoreAcknowledged();
            try
            {
                _consumer.Close();
            }
            catch (KafkaException ex)
            {
                _logger.LogWarning(ex, "Kafka consumer did not close cleanly");
            }

            _consumer.Dispose();
        }
    }

    private void StoreAcknowledged()
    {
        while (_acknowledged.TryDequeue(out var result))
        {
            try
            {
                _consumer.StoreOffset(result);
            }
            catch (KafkaException ex)
            {
                // The partition moved to another member meanwhile; it will see the message again (at-least-once).
                _logger.LogDebug(ex, "Offset of {TopicPartitionOffset} not stored", result.TopicPartitionOffset);
            }
        }
    }

    private void UpdatePauses()
    {
        var assignment = _consumer.Assignment;
        for (var i = 0; i < _topics.Count; i++)
        {
            bool full;
            lock (_gate)
            {
                full = _buffers[i].Count >= _bufferLimits[i];
            }

            var partitions = assignment.Where(tp => tp.Topic == _topics[i].Topic).ToList();
            // Non-short-circuit "|": an unsettled partition changes even when _paused already agrees.
            var change = full
                ? partitions.Where(p => _paused.Add(p) | _unsettled.Remove(p)).ToList()
                : partitions.Where(p => _paused.Remove(p) | _unsettled.Remove(p)).ToList();
            if (change.Count == 0)
            {
                continue;
            }

            if (full)
            {
                _consumer.Pause(change);
            }
            else
            {
                _consumer.Resume(change);
            }
        }
    }

    private void OnRevoked(IReadOnlyList<TopicPartition> partitions)
    {
        Interlocked.Add(ref _revocations, partitions.Count);
        var set = partitions.ToHashSet();
        _paused.ExceptWith(set);
        _unsettled.ExceptWith(set);
        lock (_gate)
        {
            for (var i = 0; i < _buffers.Length; i++)
            {
                var keep = _buffers[i].Where(r => !set.Contains(r.TopicPartition)).ToList();
                _buffers[i] = new Queue<ConsumeResult<string, byte[]>>(keep);
            }
        }
    }

    private int IndexOf(string topic)
    {
        for (var i = 0; i < _topics.Count; i++)
        {
            if (_topics[i].Topic == topic)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Message from unsubscribed topic {topic}.");
    }
}
