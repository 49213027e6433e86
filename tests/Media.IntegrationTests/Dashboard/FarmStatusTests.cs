using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests.Dashboard;

/// <summary>Farm.GetFarmStatus on a farm that does not require keys but has tenants: anonymous callers see other tenants' work only as busy slots.</summary>
[Collection(MediaCollection.Name)]
public sealed class FarmStatusTests(TestMedia media) : IAsyncLifetime
{
    private const string BootstrapKey = "operator-bootstrap-key-0123456789abcdef";

    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Auth:BootstrapAdminKey"] = BootstrapKey,
        ["Media:Worker:Slots"] = "1",
        ["Media:Worker:AnnounceSeconds"] = "1",
    });

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task AnonymousCaller_SeesAnotherTenantsRunningStageWithoutItsJob_AdminSeesAll()
    {
        using var admin = new FarmClient(_farm.Client.Address, BootstrapKey);
        using var acme = new FarmClient(_farm.Client.Address, (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme" })).Secret);
        var upload = await acme.UploadFileAsync(media.Long, null, CancellationToken.None);
        var job = await acme.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunningStage? shownToAdmin = null;
        RunningStage? shownToAnonymous = null;
        while (shownToAdmin is null || shownToAnonymous is null)
        {
            // Both views of one moment: the long job's render runs for seconds, announced every second.
            var asAdmin = await admin.Farm.GetFarmStatusAsync(new GetFarmStatusRequest(), cancellationToken: timeout.Token);
            var asAnonymous = await _farm.Client.Farm.GetFarmStatusAsync(new GetFarmStatusRequest(), cancellationToken: timeout.Token);
            shownToAdmin ??= asAdmin.Workers.SelectMany(w => w.Running).FirstOrDefault(r => r.JobId == job.Id);
            shownToAnonymous ??= asAnonymous.Workers.SelectMany(w => w.Running).FirstOrDefault();
            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal("acme", shownToAdmin.Tenant);
        Assert.False(string.IsNullOrEmpty(shownToAnonymous.Kind));
        Assert.Equal((string.Empty, string.Empty, string.Empty), (shownToAnonymous.JobId, shownToAnonymous.StageId, shownToAnonymous.Tenant));
    }
}
