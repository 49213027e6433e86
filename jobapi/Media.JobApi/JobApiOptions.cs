using System.ComponentModel.DataAnnotations;

namespace Media.JobApi;

public sealed class JobApiOptions
{
    public const string Section = "Media:JobApi";

    /// <summary>Folder for the SQLite job store.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data";

    /// <summary>A dispatched stage whose worker is silent this long goes to another worker.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>
    /// How long after a job ends the leftover sweep (run with retention, every Media:Retention:SweepMinutes) deletes
    /// what runs left in its run folders that the record does not name. Longer than a lease, so a run still going when
    /// the job ended has either finished (its outputs are discarded then) or been given up.
    /// </summary>
    [Range(1, 604_800)]
    public int RunLeftoverSeconds { get; set; } = 300;

    /// <summary>Failures (errors or expired leases) a stage may have before the job fails.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How often expired leases and due retries are looked for.</summary>
    [Range(50, 60000)]
    public int SweepIntervalMilliseconds { get; set; } = 1000;

    /// <summary>
    /// A dispatch committed this long ago and never confirmed by the bus (its publisher died in between) is published
    /// again by any replica's sweep. Keep it above Media:Kafka:PublishTimeoutMs, or a slow publish may go out twice.
    /// </summary>
    [Range(1, 3600)]
    public int UnpublishedDispatchSeconds { get; set; } = 60;

    /// <summary>First retry delay; doubles per failure, with jitter, capped at 60 s.</summary>
    [Range(0, 60000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Sources longer than this (seconds) are analysed in chunks that any worker may take in parallel, then merged;
    /// 0 = always in one pass.
    /// </summary>
    [Range(0, 86400)]
    public double AnalysisChunkAfterSeconds { get; set; } = 300;

    /// <summary>About how long each analysis chunk is (seconds; rounded to the 4 s grid).</summary>
    [Range(8, 3600)]
    public double AnalysisChunkSeconds { get; set; } = 120;

    /// <summary>
    /// Whole-source outputs (one piece, no cuts; not fan-out clips) of sources longer than this (seconds) have their
    /// video rendered in parts that any worker may take in parallel, their sound once, then joined; 0 = always one render.
    /// </summary>
    [Range(0, 86400)]
    public double RenderChunkAfterSeconds { get; set; } = 600;

    /// <summary>Output seconds per render part (rounded to the 2 s GOP grid).</summary>
    [Range(4, 3600)]
    public double RenderChunkSeconds { get; set; } = 120;

    /// <summary>
    /// Outputs of one job that share the edit (a pattern's outputs, not fan-out clips, of the same length, on the same pool)
    /// are made by one ffmpeg: one decode of the source, one encoder per output; rendered in parts, by one ffmpeg per part.
    /// False: one render stage (and its own parts) per output, each on any worker.
    /// </summary>
    public bool RenderVariantsTogether { get; set; } = true;

    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    [Range(1, 1000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Part size of direct (presigned) uploads when the client does not choose one.</summary>
    [Range(5 * 1024 * 1024, int.MaxValue)]
    public int DirectUploadPartBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a direct upload's part URLs stay valid (S3 allows at most 7 days).</summary>
    [Range(60, 7 * 24 * 3600)]
    public int DirectUploadExpirySeconds { get; set; } = 6 * 3600;

    /// <summary>
    /// Signs output links (Jobs.GetOutputLink) served by this API. Empty: a random key per process, so a link works only
    /// on the replica that made it; set the same value (32+ characters) on every replica behind one address.
    /// </summary>
    [MinLength(32)]
    public string? OutputLinkSecret { get; set; }

    /// <summary>How long an output link stays valid.</summary>
    [Range(10, 7 * 24 * 3600)]
    public int OutputLinkSeconds { get; set; } = 3600;

    /// <summary>How often direct uploads that expired without being completed are aborted in storage and forgotten.</summary>
    [Range(10, 86400)]
    public int DirectUploadSweepSeconds { get; set; } = 600;

    /// <summary>Browser origins allowed to call REST and gRPC-Web (e.g. https://studio.example.com); none by default.</summary>
    public string[] CorsOrigins { get; set; } = [];
}
