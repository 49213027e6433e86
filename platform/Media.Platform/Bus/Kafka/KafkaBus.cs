using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Platform.Bus.Kafka;

/// <summary>
/// The distributed transport on Apache Kafka: an idempotent producer (acks=all) shared by the process, and a
/// consumer per subscription whose poll loop runs on its own thread and never waits on the work it hands out.
/// The W3C trace context of the publishing activity travels in the "traceparent" header.
/// </summary>
public sealed class KafkaBus : IMessageBus, IDisposable
{
    private readonly KafkaBusOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly Lazy<IProducer<string, byte[]>> _producer;

    public KafkaBus(IOptions<KafkaBusOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loggers = loggers;
        _producer = new Lazy<IProducer<string, byte[]>>(() => new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = _options.ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = _options.PublishTimeoutMs,
        }).Build());
    }

    public bool IsDurable => true;

    public async ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var (key, value) in Telemetry.FarmTelemetry.WithTraceContext(message.Headers))
        {
            headers.Add(key, Encoding.UTF8.GetBytes(value));
        }

        await _producer.Value.ProduceAsync(KafkaTopicsInitializer.PhysicalName(message.Topic, _options.TopicPrefix), new Message<string, byte[]> { Key = message.Key, Value = message.Payload.ToArray(), Headers = headers }, cancellationToken);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        // The admin client shares the producer's connections; GetMetadata blocks, so it runs off the caller's thread.
        try
        {
            return await Task.Run(
                () =>
                {
                    using var admin = new DependentAdminClientBuilder(_producer.Value.Handle).Build();
                    return admin.GetMetadata(TimeSpan.FromSeconds(2)).Brokers.Count > 0;
                },
                cancellationToken);
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    public IBusSubscription Subscribe(string group, IReadOnlyList<TopicWeight> topics, bool onlyNewMessages = false) =>
        new KafkaSubscription(_options, group, topics, onlyNewMessages, _loggers.CreateLogger<KafkaSubscription>());

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(10));
            _producer.Value.Dispose();
        }
    }
}
