using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// A farm that requires API keys, with two tenants: every RPC of one tenant is blind to the other's jobs, outputs,
/// uploads, stored objects, patterns, templates and engagement (NotFound, never a hint that they exist), and keys
/// authenticate, rotate and revoke as documented.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class TenantIsolationTests(TestMedia media) : IAsyncLifetime
{
    private const string BootstrapKey = "operator-bootstrap-key-0123456789abcdef";

    private const string Pattern = """
        apiVersion: media.farm/v1
        name: acme-square
        outputs: [{ name: square, preset: reels, aspect: "1:1" }]
        """;

    private const string Template = """
        apiVersion: media.farm/v1
        kind: ThumbnailTemplate
        name: acme-cover
        canvas: { width: 1080, height: 1350 }
        format: png
        title: { text: "{{title}}" }
        """;

    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Auth:RequireApiKeys"] = "true",
        ["Media:Auth:BootstrapAdminKey"] = BootstrapKey,
        ["Media:Auth:CacheSeconds"] = "0",
        // A small plan for one tenant.
        ["Media:Quotas:Tenants:initech:MaxUploadBytes"] = "1000",
    });

    private readonly List<FarmClient> _clients = [];

    public Task InitializeAsync() => _farm.InitializeAsync();

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task EveryRpc_SeesOnlyTheCallersTenant()
    {
        var admin = Client(BootstrapKey);
        var acme = Client((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme", Label = "ci" })).Secret);
        var globex = Client((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "globex" })).Secret);

        var upload = await acme.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var submit = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "batch-1" };
        var job = await acme.Jobs.SubmitJobAsync(submit);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        job = await acme.WaitAsync(job.Id, null, timeout.Token);
        Assert.Equal(JobState.Succeeded, job.State);
        var output = job.Outputs.First(o => o.Kind == OutputKind.Video);
        await acme.Patterns.PutPatternAsync(new PutPatternRequest { Document = Pattern });
        await acme.Patterns.PutTemplateAsync(new PutTemplateRequest { Document = Template });
        await acme.Engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = output.Name, Views = 10 });

        // Stored objects live under the tenant's prefix.
        Assert.StartsWith("tenants/acme/uploads/", upload.Key, StringComparison.Ordinal);
        Assert.StartsWith($"tenants/acme/jobs/{job.Id}/", output.Key, StringComparison.Ordinal);

        // The owner sees all of it (so the refusals below are about the tenant, not a broken farm).
        Assert.Equal(job.Id, (await acme.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id })).Id);
        Assert.Contains((await acme.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs, j => j.Id == job.Id);
        Assert.Equal("acme-square", (await acme.Patterns.GetPatternAsync(new GetPatternRequest { Name = "acme-square" })).Name);
        Assert.Single((await acme.Engagement.ListEngagementAsync(new ListEngagementRequest())).Records);

        await AssertNotFound(() => globex.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }).ResponseAsync);
        await AssertNotFound(() => globex.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id }).ResponseAsync);
        await AssertNotFound(() => globex.Jobs.RetryJobAsync(new RetryJobRequest { JobId = job.Id }).ResponseAsync);
        await AssertNotFound(() => globex.Jobs.GetWebhookDeliveriesAsync(new GetWebhookDeliveriesRequest { JobId = job.Id }).ResponseAsync);
        await AssertNotFound(async () =>
        {
            using var watch = globex.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id });
            await watch.ResponseStream.MoveNext(CancellationToken.None);
        });
        await AssertNotFound(async () =>
        {
            using var download = globex.Jobs.DownloadOutput(new DownloadOutputRequest { JobId = job.Id, Name = output.Name });
            await download.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Empty((await globex.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs);
        await AssertNotFound(() => globex.Patterns.GetPatternAsync(new GetPatternRequest { Name = "acme-square" }).ResponseAsync);
        await AssertNotFound(() => globex.Patterns.DeletePatternAsync(new DeletePatternRequest { Name = "acme-square" }).ResponseAsync);
        Assert.DoesNotContain((await globex.Patterns.ListPatternsAsync(new ListPatternsRequest())).Patterns, p => p.Name == "acme-square");
        await AssertNotFound(() => globex.Patterns.GetTemplateAsync(new GetTemplateRequest { Name = "acme-cover" }).ResponseAsync);
        await AssertNotFound(() => globex.Patterns.DeleteTemplateAsync(new DeleteTemplateRequest { Name = "acme-cover" }).ResponseAsync);
        Assert.DoesNotContain((await globex.Patterns.ListTemplatesAsync(new ListTemplatesRequest())).Templates, t => t.Name == "acme-cover");
        Assert.Empty((await globex.Engagement.ListEngagementAsync(new ListEngagementRequest())).Records);
        await AssertNotFound(() => globex.Engagement.RecordEngagementAsync(new RecordEngagementRequest { JobId = job.Id, OutputName = output.Name, Views = 1 }).ResponseAsync);
        await AssertNotFound(() => globex.Uploads.CompleteUploadAsync(new CompleteUploadRequest { UploadId = upload.UploadId }).ResponseAsync, StatusCode.FailedPrecondition);

        // Submissions cannot reach acme's upload, its objects by key (source, logo, music), or its pattern.
        var stolen = submit.Clone();
        stolen.IdempotencyKey = string.Empty;
        var byUpload = await Refused(() => globex.Jobs.SubmitJobAsync(stolen).ResponseAsync);
        Assert.Contains("no upload", byUpload.Status.Detail, StringComparison.Ordinal);
        var byKey = await Refused(() => globex.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { Uri = "blob:" + upload.Key }, PatternName = "reframe-vertical" }).ResponseAsync);
        Assert.Contains("no object is stored", byKey.Status.Detail, StringComparison.Ordinal);
        var byOutput = await Refused(() => globex.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { Uri = "blob:" + output.Key }, PatternName = "reframe-vertical" }).ResponseAsync);
        Assert.Contains("no object is stored", byOutput.Status.Detail, StringComparison.Ordinal);
        var globexUpload = await globex.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var byLogo = await Refused(() => globex.Jobs.SubmitJobAsync(new SubmitJobRequest
        {
            Source = new Source { UploadId = globexUpload.UploadId },
            InlinePattern = "apiVersion: media.farm/v1\nname: logo\noutputs: [{ name: v, preset: reels }]\nsteps:\n  - logo: { source: \"{{logo}}\" }\n",
            Parameters = { ["logo"] = "blob:" + upload.Key },
        }).ResponseAsync);
        Assert.Contains("no logo is stored", byLogo.Status.Detail, StringComparison.Ordinal);
        var byPattern = await Refused(() => globex.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = globexUpload.UploadId }, PatternName = "acme-square" }).ResponseAsync);
        Assert.Contains("unknown pattern", byPattern.Status.Detail, StringComparison.Ordinal);

        // The same idempotency key in another tenant is another job, not acme's and not a conflict.
        var own = await globex.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = globexUpload.UploadId }, PatternName = "reframe-vertical", IdempotencyKey = "batch-1" });
        Assert.NotEqual(job.Id, own.Id);
        Assert.StartsWith("tenants/globex/uploads/", globexUpload.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_AuthenticateRotateAndRevoke_OnlyAdminsManageThem()
    {
        var admin = Client(BootstrapKey);
        var anonymous = Client(string.Empty);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => anonymous.Jobs.ListJobsAsync(new ListJobsRequest()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => Client("mf_k_0123456789abcdef01234567_wrong").Jobs.ListJobsAsync(new ListJobsRequest()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => Client("not-a-key").Jobs.ListJobsAsync(new ListJobsRequest()).ResponseAsync)).StatusCode);
        using (var channel = GrpcChannel.ForAddress(_farm.Client.Address))
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status);
        }

        var first = await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme", Label = "old" });
        var tenantKey = Client(first.Secret);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => tenantKey.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme" }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => tenantKey.Jobs.ListJobsAsync(new ListJobsRequest(), new Metadata { { "media-tenant", "globex" } }).ResponseAsync)).StatusCode);
        var badTenant = await Refused(() => admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "../acme" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badTenant.StatusCode);
        Assert.Contains("tenant", badTenant.Status.Detail, StringComparison.Ordinal);

        // Rotation: a second key works beside the first; revoking the first leaves the second and the tenant's jobs.
        var upload = await tenantKey.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var job = await tenantKey.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
        var second = await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme", Label = "new" });
        var rotated = Client(second.Secret);
        Assert.Equal(job.Id, (await rotated.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id })).Id);
        var revoked = await admin.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = first.Key.Id });
        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => tenantKey.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }).ResponseAsync)).StatusCode);
        Assert.Equal(job.Id, (await rotated.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id })).Id);

        var listed = await admin.Admin.ListApiKeysAsync(new ListApiKeysRequest { Tenant = "acme" });
        Assert.Equal(["new", "old"], listed.Keys.Select(k => k.Label));
        Assert.Equal([false, true], listed.Keys.Select(k => k.RevokedAt is not null));
        Assert.Equal(StatusCode.NotFound, (await Refused(() => admin.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = "k_000000000000000000000000" }).ResponseAsync)).StatusCode);

        // An operator may act for a tenant; nobody else sees its job.
        Assert.Contains((await admin.Jobs.ListJobsAsync(new ListJobsRequest(), new Metadata { { "media-tenant", "acme" } })).Jobs, j => j.Id == job.Id);
        Assert.Empty((await admin.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs);

        // Only hashes are stored: the secrets appear nowhere in the database files.
        await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, new Metadata { { "authorization", "Bearer " + second.Secret } });
        // The token is "mf_" + "k_" + 24 hex digits + "_" + the secret, which is base64url and may itself contain '_'
        // (cutting at the last '_' once left a one-character "secret" that matched by chance).
        var secretPart = second.Secret[("mf_k_".Length + 24 + 1)..];
        Assert.Equal(43, secretPart.Length);
        foreach (var file in Directory.GetFiles(_farm.DataDirectory, "jobs.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(secretPart, System.Text.Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        }
    }

    private static async Task AssertNotFound(Func<Task> call, StatusCode orElse = StatusCode.NotFound)
    {
        var refused = await Refused(call);
        Assert.True(refused.StatusCode == StatusCode.NotFound || refused.StatusCode == orElse, $"expected NotFound, got {refused.StatusCode}: {refused.Status.Detail}");
    }

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task FarmStatus_SpansTenants_SoOnlyAdminKeysMayReadIt()
    {
        var admin = Client(BootstrapKey);
        var acme = Client((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme" })).Secret);
        using var http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };

        var anonymous = await http.GetAsync("/v1/farm");
        var tenant = await Assert.ThrowsAsync<RpcException>(async () => await acme.Farm.GetFarmStatusAsync(new GetFarmStatusRequest()));
        FarmStatus status;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // The worker's first announcement comes as it starts; poll in case this call beats it.
            while ((status = await admin.Farm.GetFarmStatusAsync(new GetFarmStatusRequest(), cancellationToken: timeout.Token)).Workers.Count == 0)
            {
                await Task.Delay(200, timeout.Token);
            }
        }

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, tenant.StatusCode);
        var worker = Assert.Single(status.Workers);
        Assert.Equal("cpu", worker.Pool);
        Assert.True(worker.TakingWork);
        Assert.Equal(["nvenc", "cuda_decode", "onnx_cuda", "whisper_gpu"], worker.Capabilities.Select(c => c.Name));
        Assert.Equal(
            ["cpu/high", "cpu/normal", "cpu/bulk", "gpu/high", "gpu/normal", "gpu/bulk", "cpu/held"],
            status.Queues.Select(q => $"{q.Pool}/{q.Priority}"));
    }

    [Fact]
    public async Task TenantUploadLimit_RefusesThatTenantsBiggerUploads_NamingItsOwnSetting()
    {
        var admin = Client(BootstrapKey);
        var initech = Client((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "initech" })).Secret);
        var acme = Client((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = "acme" })).Secret);

        // 6 MiB: the farm refuses the header while the client still has most of the file to send; the client must
        // report the farm's reason, not the write that broke under it.
        var big = Path.Combine(_farm.DataDirectory, "six-mib.mp4");
        await File.WriteAllBytesAsync(big, new byte[6 * 1024 * 1024]);
        // A deadline, so that a client stuck in a write fails this test instead of hanging the suite (it once did).
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var refused = await Assert.ThrowsAsync<RpcException>(() => initech.UploadFileAsync(big, null, deadline.Token));
        var accepted = await acme.UploadFileAsync(media.Landscape, null, deadline.Token);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("Media:Quotas:Tenants:initech:MaxUploadBytes", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(accepted.SizeBytes > 1000);
    }

    private FarmClient Client(string key)
    {
        var client = new FarmClient(_farm.Client.Address, key);
        _clients.Add(client);
        return client;
    }
}
