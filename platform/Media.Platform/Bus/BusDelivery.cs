namespace Media.Platform.Bus;

/// <summary>A received message. Acknowledge it once the work it asks for is safe (done or handed to a lease).</summary>
public sealed class BusDelivery
{
    private readonly Func<ValueTask>? _acknowledge;

    public BusDelivery(BusMessage message, Func<ValueTask>? acknowledge = null)
    {
        Message = message;
        _acknowledge = acknowledge;
    }

    public BusMessage Message { get; }

    public ValueTask AcknowledgeAsync() => _acknowledge?.Invoke() ?? ValueTask.CompletedTask;
}
