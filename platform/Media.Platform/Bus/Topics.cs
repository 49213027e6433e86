using Media.Protos.V1;

namespace Media.Platform.Bus;

/// <summary>Topic names shared by the job API and the workers.</summary>
public static class Topics
{
    public const string Events = "media.events";
    public const string Control = "media.control";
    public const string DeadLetter = "media.dlq";

    /// <summary>PublishRequested messages for publishers, keyed by job id.</summary>
    public const string Publish = "media.publish";

    /// <summary>WorkerAnnouncement messages (who is there, what it can do, what it runs), keyed by worker id.</summary>
    public const string Workers = "media.workers";

    public const string CpuPool = "cpu";

    /// <summary>Workers with a working NVENC encoder (probed at start); renders of outputs with hardware: gpu.</summary>
    public const string GpuPool = "gpu";

    /// <summary>The queue-depth priority of jobs held back by their tenant's running-jobs allowance (counted under the cpu pool).</summary>
    public const string Held = "held";

    public static string Stages(string pool, Priority priority) => $"media.stages.{pool}.{priority.Name()}";

    /// <summary>Every pool's work topics, for creating them.</summary>
    public static IEnumerable<string> AllStageTopics => new[] { CpuPool, GpuPool }.SelectMany(pool => Priorities.All.Select(priority => Stages(pool, priority)));

    /// <summary>A pool's work topics with the weights they are consumed with: high 6, normal 3, bulk 1.</summary>
    public static IReadOnlyList<TopicWeight> StageTopics(string pool) =>
    [
        new(Stages(pool, Priority.High), 6),
        new(Stages(pool, Priority.Normal), 3),
        new(Stages(pool, Priority.Bulk), 1),
    ];
}
