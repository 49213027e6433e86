using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Platform.Bus.Kafka;

/// <summary>Creates the farm's topics at start when Media:Kafka:CreateTopics is on; existing topics are left as they are.</summary>
public sealed class KafkaTopicsInitializer(IOptions<KafkaBusOptions> options, ILogger<KafkaTopicsInitializer> logger) : IHostedService
{
    public static IReadOnlyList<string> AllTopics { get; } =
    [
        .. Topics.AllStageTopics,
        Topics.Events,
        Topics.Control,
        Topics.DeadLetter,
        Topics.Publish,
        Topics.Workers,
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.CreateTopics)
        {
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = settings.BootstrapServers }).Build();
        try
        {
            await admin.CreateTopicsAsync(
                AllTopics.Select(t => new TopicSpecification { Name = PhysicalName(t, settings.TopicPrefix), NumPartitions = settings.Partitions, ReplicationFactor = settings.ReplicationFactor }),
                new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            logger.LogDebug("Kafka topics already exist");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The name a farm topic has on the cluster: its "media." replaced by the configured prefix.</summary>
    public static string PhysicalName(string topic, string prefix) =>
        prefix == "media." || !topic.StartsWith("media.", StringComparison.Ordinal) ? topic : prefix + topic["media.".Length..];

    /// <summary>The farm's own name of a topic read from the cluster.</summary>
    public static string LogicalName(string topic, string prefix) =>
        prefix == "media." || !topic.StartsWith(prefix, StringComparison.Ordinal) ? topic : "media." + topic[prefix.Length..];
}
