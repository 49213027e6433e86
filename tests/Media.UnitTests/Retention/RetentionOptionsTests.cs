using System.ComponentModel.DataAnnotations;
using Media.JobApi.Retention;

namespace Media.UnitTests.Retention;

public sealed class RetentionOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Cutoffs_FarmDefault_TenantOverrides_AndZeroKeepsForever()
    {
        var options = new RetentionOptions
        {
            FinishedJobDays = 30,
            UnusedUploadHours = 24,
            Tenants = { ["acme"] = new TenantRetention { FinishedJobDays = 365 }, ["archive"] = new TenantRetention { FinishedJobDays = 0, UnusedUploadHours = 0 } },
        };

        var jobs = options.FinishedJobCutoffs(Now);
        var uploads = options.UploadCutoffs(Now);

        Assert.Equal((Now.AddDays(-30), Now.AddDays(-365), (DateTimeOffset?)null), (jobs.For("globex"), jobs.For("acme"), jobs.For("archive")));
        // acme set only its job retention: its uploads follow the farm.
        Assert.Equal((Now.AddHours(-24), Now.AddHours(-24), (DateTimeOffset?)null), (uploads.For("globex"), uploads.For("acme"), uploads.For("archive")));
        Assert.Null(new RetentionOptions { FinishedJobDays = 0 }.FinishedJobCutoffs(Now).For("globex"));
    }

    [Fact]
    public void BadTenantNameOrValue_IsRefusedAtStartNamingTheTenant()
    {
        var options = new RetentionOptions { Tenants = { ["Bad Name"] = new TenantRetention(), ["acme"] = new TenantRetention { FinishedJobDays = -1 } } };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Equal(2, results.Count);
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Tenants:Bad Name: the tenant name", StringComparison.Ordinal));
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Tenants:acme:", StringComparison.Ordinal) && r.ErrorMessage.Contains("FinishedJobDays", StringComparison.Ordinal));
    }
}
