using System.ComponentModel.DataAnnotations;

namespace Media.JobApi.Retention;

/// <summary>
/// How long finished jobs and unused uploads are kept. A farm's database and storage otherwise grow with every job;
/// outputs are meant to be downloaded or published, not archived here. 0 keeps them forever.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "Media:Retention";

    /// <summary>Days after a job finished (succeeded, failed, cancelled) that its record, events and stored outputs are deleted.</summary>
    [Range(0, 36_500)]
    public double FinishedJobDays { get; set; } = 30;

    /// <summary>Hours after an upload that it is deleted when no stored job, pattern or template names it.</summary>
    [Range(0, 876_000)]
    public double UnusedUploadHours { get; set; } = 24;

    /// <summary>How often a replica sweeps; several replicas may sweep at once (every deletion is idempotent).</summary>
    [Range(0.01, 1440)]
    public double SweepMinutes { get; set; } = 10;

    /// <summary>Per-tenant overrides: Media:Retention:Tenants:&lt;tenant&gt;:FinishedJobDays and UnusedUploadHours.</summary>
    public Dictionary<string, TenantRetention> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Finished jobs are deleted when they finished before this; null keeps them.</summary>
    public RetentionCutoffs FinishedJobCutoffs(DateTimeOffset now) => Cutoffs(now, FinishedJobDays, t => t.FinishedJobDays, TimeSpan.FromDays);

    /// <summary>Unused uploads are deleted when they were made before this; null keeps them.</summary>
    public RetentionCutoffs UploadCutoffs(DateTimeOffset now) => Cutoffs(now, UnusedUploadHours, t => t.UnusedUploadHours, TimeSpan.FromHours);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Nested values are not checked by the options validator on their own.
        foreach (var (tenant, own) in Tenants)
        {
            if (!Auth.TenantNames.IsValid(tenant))
            {
                yield return new($"Tenants:{tenant}: the tenant name must be {Auth.TenantNames.Rule}.", [nameof(Tenants)]);
            }

            var problems = new List<ValidationResult>();
            if (!Validator.TryValidateObject(own, new ValidationContext(own), problems, validateAllProperties: true))
            {
                foreach (var problem in problems)
                {
                    yield return new($"Tenants:{tenant}: {problem.ErrorMessage}", [nameof(Tenants)]);
                }
            }
        }
    }

    private RetentionCutoffs Cutoffs(DateTimeOffset now, double farm, Func<TenantRetention, double?> own, Func<double, TimeSpan> unit)
    {
        DateTimeOffset? Cutoff(double keep) => keep > 0 ? now - unit(keep) : null;
        var byTenant = Tenants
            .Where(t => own(t.Value) is not null)
            .ToDictionary(t => t.Key, t => Cutoff(own(t.Value)!.Value), StringComparer.Ordinal);
        return new RetentionCutoffs(Cutoff(farm), byTenant);
    }
}

public sealed class TenantRetention
{
    [Range(0, 36_500)]
    public double? FinishedJobDays { get; set; }

    [Range(0, 876_000)]
    public double? UnusedUploadHours { get; set; }
}

/// <summary>A time before which things are deleted: the farm's, and the tenants' that set their own (null: kept forever).</summary>
public sealed record RetentionCutoffs(DateTimeOffset? Farm, IReadOnlyDictionary<string, DateTimeOffset?> ByTenant)
{
    public DateTimeOffset? For(string tenant) => ByTenant.TryGetValue(tenant, out var own) ? own : Farm;
}
