using Media.JobApi;
using Media.JobApi.Errors;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

/// <summary>Per-tenant admission and quotas: a tenant's jobs past its running allowance wait in the store, not in the queue.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task Submit_PastTheTenantsAllowance_IsHeldAndAdmittedHighPriorityFirstWhenASlotFrees()
    {
        await using var h = new OrchestratorHarness(quotas: new QuotaOptions { MaxRunningJobsPerTenant = 1 });
        var first = await h.SubmitAsync();
        var firstProbe = await h.NextDispatchAsync();
        var normal = await h.SubmitAsync();
        var urgent = await h.SubmitAsync(r => r.Priority = Priority.High);

        Assert.Equal(first.Id, firstProbe.JobId);
        Assert.False(await h.HasPendingDispatchAsync());
        Assert.Equal(JobState.Queued, (await h.JobAsync(normal.Id)).State);
        Assert.All(await h.Database.Jobs.GetStagesAsync(urgent.Id, CancellationToken.None), s => Assert.Equal((StageState.Waiting, 0), (s.State, s.Attempt)));

        await h.SendAsync(firstProbe, e => e.Failed = new StageFailed { Error = new JobError { Code = "invalid_media", Retryable = false } });

        var next = await h.NextDispatchAsync();
        Assert.Equal((urgent.Id, StageKind.Probe), (next.JobId, next.Kind));
        Assert.False(await h.HasPendingDispatchAsync());
        await h.Orchestrator.CancelAsync(urgent.Id, "default", CancellationToken.None);
        Assert.Equal(normal.Id, (await h.NextDispatchAsync()).JobId);
    }

    [Fact]
    public async Task Submit_AnotherTenantAtItsAllowance_DoesNotHoldThisTenant()
    {
        await using var h = new OrchestratorHarness(quotas: new QuotaOptions { MaxRunningJobsPerTenant = 2, RunningJobsByTenant = { ["acme"] = 1 } });
        for (var i = 0; i < 4; i++)
        {
            await h.SubmitAsync(tenant: "acme");
        }

        var other = await h.SubmitAsync(tenant: "globex");
        var dispatched = new List<string> { (await h.NextDispatchAsync()).JobId, (await h.NextDispatchAsync()).JobId };

        Assert.Contains(other.Id, dispatched);
        Assert.False(await h.HasPendingDispatchAsync());
        Assert.Equal(3, (await h.Database.Queries.GetHeldJobIdsAsync("acme", 10, CancellationToken.None)).Count);
        Assert.Equal(["acme"], await h.Database.Queries.GetTenantsWithHeldJobsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_AdmitsHeldJobsWhenTheAllowanceGrows()
    {
        var quotas = new QuotaOptions { MaxRunningJobsPerTenant = 1 };
        await using var h = new OrchestratorHarness(quotas: quotas);
        await h.SubmitAsync();
        var held = await h.SubmitAsync();
        await h.NextDispatchAsync();
        Assert.False(await h.HasPendingDispatchAsync());

        // As after an operator raises the allowance and restarts, or a missed admission: the sweep catches up.
        quotas.MaxRunningJobsPerTenant = 2;
        await h.Orchestrator.SweepAsync(CancellationToken.None);

        Assert.Equal(held.Id, (await h.NextDispatchAsync()).JobId);
    }

    [Fact]
    public async Task Submit_PastUnfinishedJobsLimit_IsResourceExhaustedNamingTheLimit()
    {
        await using var h = new OrchestratorHarness(quotas: new QuotaOptions { MaxUnfinishedJobsPerTenant = 2 });
        await h.SubmitAsync();
        await h.SubmitAsync();

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => h.SubmitAsync());

        Assert.Equal("Media:Quotas:MaxUnfinishedJobsPerTenant", refused.Limit);
        Assert.Contains("limit is 2", refused.Message, StringComparison.Ordinal);
        await h.SubmitAsync(tenant: "acme");
    }

    [Fact]
    public async Task TenantQuotas_OverrideTheFarmsForThatTenantOnly_AndNameTheirOwnSetting()
    {
        var quotas = new QuotaOptions { MaxUnfinishedJobsPerTenant = 3, Tenants = { ["acme"] = new TenantQuota { MaxUnfinishedJobs = 1, MaxRunningJobs = 5 } } };
        await using var h = new OrchestratorHarness(quotas: quotas);
        await h.SubmitAsync(tenant: "acme");

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => h.SubmitAsync(tenant: "acme"));
        await h.SubmitAsync();
        await h.SubmitAsync();

        Assert.Equal("Media:Quotas:Tenants:acme:MaxUnfinishedJobs", refused.Limit);
        Assert.Contains("limit is 1", refused.Message, StringComparison.Ordinal);
        Assert.Equal((5, 16), (quotas.RunningJobsFor("acme"), quotas.RunningJobsFor("globex")));
        Assert.Equal((10L, "Media:JobApi:MaxUploadBytes"), quotas.UploadBytesFor("globex", 10));
    }

    [Fact]
    public void TenantQuotas_BadNameOrValue_AreRefusedAtStartNamingTheTenant()
    {
        var quotas = new QuotaOptions { Tenants = { ["Bad Name"] = new TenantQuota(), ["acme"] = new TenantQuota { MaxUnfinishedJobs = 0 } } };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(quotas, new(quotas), results, validateAllProperties: true));
        Assert.Equal(2, results.Count);
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Tenants:Bad Name: the tenant name", StringComparison.Ordinal));
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Tenants:acme:", StringComparison.Ordinal) && r.ErrorMessage.Contains("MaxUnfinishedJobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_PastDailySourceMinutes_IsResourceExhausted()
    {
        await using var h = new OrchestratorHarness(quotas: new QuotaOptions { MaxSourceMinutesPerDay = 0.1 });
        var job = await h.SubmitAsync();
        var probe = await h.NextDispatchAsync();
        // The probe finds a 5-second source; two probed jobs reach the 6-second allowance.
        await h.SendAsync(probe, e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });
        var second = await h.SubmitAsync();
        await h.SendAsync(await NextProbeAsync(h, second.Id), e => e.Completed = new StageCompleted { MediaInfo = OrchestratorHarness.SourceInfo() });

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => h.SubmitAsync());

        Assert.Equal("Media:Quotas:MaxSourceMinutesPerDay", refused.Limit);
        Assert.NotEqual(job.Id, second.Id);
        h.Time.Advance(TimeSpan.FromHours(25));
        await h.SubmitAsync();
    }

    private static async Task<StageDispatch> NextProbeAsync(OrchestratorHarness h, string jobId)
    {
        while (true)
        {
            var dispatch = await h.NextDispatchAsync();
            if (dispatch.JobId == jobId && dispatch.Kind == StageKind.Probe)
            {
                return dispatch;
            }
        }
    }
}
