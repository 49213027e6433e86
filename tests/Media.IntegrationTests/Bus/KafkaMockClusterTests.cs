using Confluent.Kafka;
using Media.KafkaMock;

namespace Media.IntegrationTests.Bus;

/// <summary>
/// The mock cluster's staged outage: every client reaches the brokers only through the gates, a closed gate stops
/// all traffic, an opened one lets it through again, and the brokers' own listeners stay up throughout.
/// </summary>
public sealed class KafkaMockClusterTests
{
    [Fact]
    public async Task SetAvailable_ClosedGatesStopEveryBroker_OpenedGatesDeliverAgain()
    {
        using var cluster = new KafkaMockCluster(3, outages: true);
        cluster.CreateTopic("gated", 3);
        var gates = cluster.BootstrapServers.Split(',').ToHashSet();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var advertised = admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Select(b => $"{b.Host}:{b.Port}").ToHashSet();
        Assert.Equal(gates, advertised);

        // The message timeout is how long a message waits for a broker, so a delivery during the outage fails
        // after 3 s whatever the machine's load, and one after it succeeds well within 60 s.
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            MessageTimeoutMs = 3000,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 200,
        }).Build();
        var before = await producer.ProduceAsync("gated", new Message<Null, string> { Value = "before" });

        cluster.SetAvailable(false);
        var during = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("gated", new Message<Null, string> { Value = "during" }));

        cluster.SetAvailable(true);
        using var retry = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        DeliveryResult<Null, string>? after = null;
        while (after is null)
        {
            // A message sent in the first instant after the gates open may still time out on a connection the
            // client has not yet re-made: retry until one is delivered.
            try
            {
                after = await producer.ProduceAsync("gated", new Message<Null, string> { Value = "after" }, retry.Token);
            }
            catch (ProduceException<Null, string>) when (!retry.IsCancellationRequested)
            {
            }
        }

        Assert.Equal(PersistenceStatus.Persisted, before.Status);
        Assert.Equal(ErrorCode.Local_MsgTimedOut, during.Error.Code);
        Assert.Equal(PersistenceStatus.Persisted, after.Status);
    }

    [Fact]
    public void SetAvailable_WithoutOutages_SaysWhy()
    {
        using var cluster = new KafkaMockCluster(1);
        var error = Assert.Throws<InvalidOperationException>(() => cluster.SetAvailable(false));
        Assert.Contains("outages: true", error.Message, StringComparison.Ordinal);
    }
}
