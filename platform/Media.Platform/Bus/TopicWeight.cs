namespace Media.Platform.Bus;

/// <summary>A topic a subscription reads and its share of deliveries when several topics have messages waiting.</summary>
public sealed record TopicWeight(string Topic, int Weight = 1);
