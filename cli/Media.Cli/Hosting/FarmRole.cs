namespace Media.Cli.Hosting;

public enum FarmRole
{
    /// <summary>Job API and workers in one process (embedded, or one node of a small farm).</summary>
    All,

    /// <summary>Job API and orchestrator only; workers run elsewhere (needs the Kafka bus).</summary>
    Api,

    /// <summary>A worker only, in the CPU or GPU pool (needs the Kafka bus, shared store and storage).</summary>
    Worker,
}
