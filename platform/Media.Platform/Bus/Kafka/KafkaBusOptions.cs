using System.ComponentModel.DataAnnotations;

namespace Media.Platform.Bus.Kafka;

public sealed class KafkaBusOptions
{
    public const string Section = "Media:Kafka";

    /// <summary>host:port[,host:port…].</summary>
    [Required]
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>
    /// Replaces the leading "media." of every topic name ("acme-prod." gives acme-prod.stages.cpu.high,
    /// acme-prod.events, …): several farms can share one cluster. Must end with a dot or a dash.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9._-]{1,100}[.-]$")]
    public string TopicPrefix { get; set; } = "media.";

    /// <summary>
    /// How long a publish may wait for the cluster before it fails (the orchestrator then parks the stage and
    /// publishes it again): long enough for a broker restart, short enough not to hide an outage.
    /// </summary>
    [Range(1000, 300000)]
    public int PublishTimeoutMs { get; set; } = 30000;

    public string ClientId { get; set; } = "media-farm";

    /// <summary>Create the farm's topics at start (needs topic-create rights; turn off where topics are managed elsewhere).</summary>
    public bool CreateTopics { get; set; } = true;

    [Range(1, 1000)]
    public int Partitions { get; set; } = 6;

    [Range(1, 10)]
    public short ReplicationFactor { get; set; } = 1;

    [Range(1000, 300000)]
    public int SessionTimeoutMs { get; set; } = 45000;

    /// <summary>The poll loop never waits on work, so this only has to cover a stalled process.</summary>
    [Range(1000, 3600000)]
    public int MaxPollIntervalMs { get; set; } = 300000;

    /// <summary>
    /// How long a broker may hold a fetch when no message is waiting. librdkafka's default (500 ms) adds up to half
    /// a second to every hop (dispatch, then the worker's events); a farm wants its stages moving.
    /// </summary>
    [Range(1, 5000)]
    public int FetchWaitMaxMs { get; set; } = 20;

    /// <summary>Messages fetched ahead per topic; past this the topic's partitions are paused (and keep being polled).</summary>
    [Range(1, 1000)]
    public int BufferPerTopic { get; set; } = 2;
}
