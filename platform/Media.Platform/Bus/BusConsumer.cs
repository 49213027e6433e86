using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Media.Platform.Bus;

/// <summary>
/// The one receive loop for typed messages: receive, parse, handle, acknowledge, until shutdown. A message that does not
/// parse is logged and acknowledged (it can never succeed); a handler that throws is logged and the loop goes on, the
/// message acknowledged all the same (the orchestrator's leases recover whatever it was about). Shutdown ends it quietly.
/// </summary>
public static class BusConsumer
{
    /// <param name="acknowledgeFirst">Acknowledge on receipt (notifications whose loss costs nothing) instead of after handling.</param>
    public static async Task ConsumeAsync<T>(
        IBusSubscription subscription,
        MessageParser<T> parser,
        Func<T, BusDelivery, CancellationToken, Task> handle,
        ILogger logger,
        CancellationToken stoppingToken,
        bool acknowledgeFirst = false)
        where T : IMessage<T>
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            BusDelivery delivery;
            try
            {
                delivery = await subscription.ReceiveAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (acknowledgeFirst)
            {
                await delivery.AcknowledgeAsync();
            }

            try
            {
                await handle(parser.ParseFrom(delivery.Message.Payload.Span), delivery, stoppingToken);
            }
            catch (InvalidProtocolBufferException ex)
            {
                logger.LogError(ex, "Dropped an unreadable {Message} from {Topic}", typeof(T).Name, delivery.Message.Topic);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One bad message must not stop the loop.
                logger.LogError(ex, "Could not handle a {Message} from {Topic}", typeof(T).Name, delivery.Message.Topic);
            }

            if (!acknowledgeFirst)
            {
                await delivery.AcknowledgeAsync();
            }
        }
    }
}
