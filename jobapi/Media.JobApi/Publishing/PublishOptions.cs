using System.ComponentModel.DataAnnotations;

namespace Media.JobApi.Publishing;

public sealed class PublishOptions
{
    public const string Section = "Media:Publishing";

    /// <summary>How often due publications are looked for (the hand-off is at most this late).</summary>
    [Range(50, 60_000)]
    public int PollMilliseconds { get; set; } = 1000;
}
