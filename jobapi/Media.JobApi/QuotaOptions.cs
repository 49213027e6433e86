using System.ComponentModel.DataAnnotations;

namespace Media.JobApi;

/// <summary>Per-tenant limits. Admission (<see cref="MaxRunningJobsPerTenant"/>) is what keeps one tenant's batch from starving another.</summary>
public sealed class QuotaOptions : IValidatableObject
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

    /// <summary>
    /// Limits of one tenant that differ from the farm's (a plan per customer): Media:Quotas:Tenants:&lt;tenant&gt;:MaxUnfinishedJobs,
    /// MaxSourceMinutesPerDay, MaxUploadBytes, MaxRunningJobs. What a tenant does not set is the farm's value.
    /// </summary>
    public Dictionary<string, TenantQuota> Tenants { get; set; } = new(StringComparer.Ordinal);

    public int RunningJobsFor(string tenant) =>
        Own(tenant)?.MaxRunningJobs is > 0 and var own ? own
        : RunningJobsByTenant.TryGetValue(tenant, out var legacy) && legacy > 0 ? legacy : MaxRunningJobsPerTenant;

    /// <summary>The tenant's unfinished-jobs limit and the setting that decides it.</summary>
    public (int Limit, string Key) UnfinishedJobsFor(string tenant) =>
        Own(tenant)?.MaxUnfinishedJobs is > 0 and var own
            ? (own, $"{Section}:Tenants:{tenant}:MaxUnfinishedJobs")
            : (MaxUnfinishedJobsPerTenant, $"{Section}:MaxUnfinishedJobsPerTenant");

    /// <summary>The tenant's daily source minutes (0 = no limit) and the setting that decides it.</summary>
    public (double Limit, string Key) SourceMinutesPerDayFor(string tenant) =>
        Own(tenant)?.MaxSourceMinutesPerDay is >= 0 and var own
            ? (own, $"{Section}:Tenants:{tenant}:MaxSourceMinutesPerDay")
            : (MaxSourceMinutesPerDay, $"{Section}:MaxSourceMinutesPerDay");

    /// <summary>The tenant's largest upload and the setting that decides it (the farm's is Media:JobApi:MaxUploadBytes).</summary>
    public (long Limit, string Key) UploadBytesFor(string tenant, long farmLimit) =>
        Own(tenant)?.MaxUploadBytes is > 0 and var own
            ? (own, $"{Section}:Tenants:{tenant}:MaxUploadBytes")
            : (farmLimit, "Media:JobApi:MaxUploadBytes");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Nested values are not checked by the options validator on their own.
        foreach (var (tenant, quota) in Tenants)
        {
            if (!Auth.TenantNames.IsValid(tenant))
            {
                yield return new($"Tenants:{tenant}: the tenant name must be {Auth.TenantNames.Rule}.", [nameof(Tenants)]);
            }

            var problems = new List<ValidationResult>();
            if (!Validator.TryValidateObject(quota, new ValidationContext(quota), problems, validateAllProperties: true))
            {
                foreach (var problem in problems)
                {
                    yield return new($"Tenants:{tenant}: {problem.ErrorMessage}", [nameof(Tenants)]);
                }
            }
        }
    }

    private TenantQuota? Own(string tenant) => Tenants.GetValueOrDefault(tenant);
}

/// <summary>One tenant's own limits; null = the farm's.</summary>
public sealed class TenantQuota
{
    [Range(1, 100_000)]
    public int? MaxRunningJobs { get; set; }

    [Range(1, 10_000_000)]
    public int? MaxUnfinishedJobs { get; set; }

    [Range(0, 10_000_000)]
    public double? MaxSourceMinutesPerDay { get; set; }

    [Range(1, long.MaxValue)]
    public long? MaxUploadBytes { get; set; }
}
