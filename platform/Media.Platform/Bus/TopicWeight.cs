namespace Media.Platform.Bus;

/// <summary>A topic a subscription reads and its share of deliveries when several topics have messages waiting.</summary>
/// <param name="Prefetch">
/// Messages a member may fetch ahead of its consumer for this topic (null: the transport's default). Work topics keep
/// it small so an idle worker is not starved by a busy one holding messages; a topic of small, quickly handled
/// messages (events) needs it large, because on Kafka a paused partition's prefetched messages are discarded and
/// fetched again.
/// </param>
public sealed record TopicWeight(string Topic, int Weight = 1, int? Prefetch = null);
