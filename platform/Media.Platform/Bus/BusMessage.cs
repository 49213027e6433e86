namespace Media.Platform.Bus;

/// <summary>One message on a topic. The key orders messages (same key, same partition on Kafka).</summary>
public sealed record BusMessage(string Topic, string Key, ReadOnlyMemory<byte> Payload)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
