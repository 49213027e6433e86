using System.ComponentModel.DataAnnotations;

namespace Media.Workers;

public sealed class WorkerOptions
{
    public const string Section = "Media:Worker";

    /// <summary>The pool whose topics this worker reads: "cpu" or "gpu".</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{0,31}$")]
    public string Pool { get; set; } = "cpu";

    /// <summary>Stages run at the same time by this worker.</summary>
    [Range(1, 64)]
    public int Slots { get; set; } = 2;

    /// <summary>
    /// Each slot's tools (ffmpeg, ffprobe, PocketSphinx) run on their own share of the worker's cores (taskset), so stages side
    /// by side do not contend for the same cores: more throughput when every slot is busy, but a stage alone on the
    /// worker gets only its share. In-process work (ONNX, Whisper) is not pinned. Off by default; ignored (with a warning)
    /// when there are fewer cores than slots or taskset is missing.
    /// </summary>
    public bool PinSlots { get; set; }

    /// <summary>Scratch space for downloads and renders; each stage gets its own folder, removed afterwards.</summary>
    [Required]
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "media-worker");

    /// <summary>Empty = host name + process id.</summary>
    public string WorkerId { get; set; } = string.Empty;

    /// <summary>Longest gap between two progress events (they renew the stage's lease).</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>How often the worker describes itself (pool, slots, running stages, capabilities) on media.workers for the dashboard.</summary>
    [Range(1, 300)]
    public int AnnounceSeconds { get; set; } = 5;

    /// <summary>A stage running longer than this is stopped and reported as failed.</summary>
    [Range(10, 86400)]
    public int MaxStageSeconds { get; set; } = 4 * 3600;
}
