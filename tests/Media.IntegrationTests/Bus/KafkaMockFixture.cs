using Media.Platform.Bus.Kafka;
using Media.KafkaMock;

namespace Media.IntegrationTests.Bus;

/// <summary>librdkafka's mock cluster (3 brokers over TCP) with the farm's topics, for one test collection.</summary>
public sealed class KafkaMockFixture : IAsyncLifetime
{
    private KafkaMockCluster? _cluster;

    public string BootstrapServers => _cluster!.BootstrapServers;

    public Task InitializeAsync()
    {
        _cluster = new KafkaMockCluster(3);
        foreach (var topic in KafkaTopicsInitializer.AllTopics)
        {
            _cluster.CreateTopic(topic, 3);
        }

        return Task.CompletedTask;
    }

    public void CreateTopic(string topic, int partitions) => _cluster!.CreateTopic(topic, partitions);

    public Task DisposeAsync()
    {
        _cluster?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaMockFixture>
{
    public const string Name = "kafka";
}
