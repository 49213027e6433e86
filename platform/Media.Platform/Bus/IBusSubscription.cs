namespace Media.Platform.Bus;

public interface IBusSubscription : IAsyncDisposable
{
    /// <summary>Waits for the next message of any subscribed topic, weighted by topic.</summary>
    ValueTask<BusDelivery> ReceiveAsync(CancellationToken cancellationToken);
}
