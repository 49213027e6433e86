using System.ComponentModel.DataAnnotations;

namespace Media.JobApi;

/// <summary>Per-tenant limits. Admission (<see cref="MaxRunningJobsPerTenant"/>) is what keeps one tenant's batch from starving another.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Media:Quotas";

    /// <summary>
    /// Jobs of one tenant admitted at a time (their stages dispatched); the rest wait, held in the store, and are
    /// admitted high priority first, oldest first, as the tenant's jobs finish. Every tenant has its own
    /// allowance, so another tenant's job never queues behind more than this many of a big batch's jobs.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxRunningJobsPerTenant { get; set; } = 16;

    /// <summary>Per-tenant overrides of <see cref="MaxRunningJobsPerTenant"/> (a bigger share for a bigger customer).</summary>
    public Dictionary<string, int> RunningJobsByTenant { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Unfinished (queued or running) jobs a tenant may have; a submission past it is ResourceExhausted.</summary>
    [Range(1, 10_000_000)]
    public int MaxUnfinishedJobsPerTenant { get; set; } = 20_000;

    /// <summary>Source minutes a tenant may submit in 24 hours (probed durations); 0 = no limit.</summary>
    [Range(0, 10_000_000)]
    public double MaxSourceMinutesPerDay { get; set; }

    public int RunningJobsFor(string tenant) =>
        RunningJobsByTenant.TryGetValue(tenant, out var own) && own > 0 ? own : MaxRunningJobsPerTenant;
}
