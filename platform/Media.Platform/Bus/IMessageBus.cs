namespace Media.Platform.Bus;

/// <summary>Topics with competing consumer groups: the transport between job API and workers.</summary>
public interface IMessageBus
{
    /// <summary>True when published messages survive a restart of this process (Kafka); false for the in-process bus.</summary>
    bool IsDurable { get; }

    ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Joins <paramref name="group"/> on the given topics. Members of one group share the messages;
    /// every group gets every message. A new group with <paramref name="onlyNewMessages"/> starts at the end
    /// of the topics (broadcast control messages); otherwise at the oldest message not yet acknowledged.
    /// </summary>
    IBusSubscription Subscribe(string group, IReadOnlyList<TopicWeight> topics, bool onlyNewMessages = false);

    /// <summary>Whether the transport answers now (readiness probes); an in-process bus always does.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
