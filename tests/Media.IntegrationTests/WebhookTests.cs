using System.Collections.Concurrent;
using Grpc.Core;
using Media.JobApi.Webhooks;
using Media.Protos.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>A finished job's webhook against a real HTTP receiver that fails first: signed, retried, every attempt recorded.</summary>
[Collection(MediaCollection.Name)]
public sealed class WebhookTests(TestMedia media) : IAsyncLifetime
{
    private const string Secret = "test-secret";
    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Webhooks:Secret"] = Secret,
        ["Media:Webhooks:RetryBaseDelayMilliseconds"] = "100",
    });

    private readonly ConcurrentQueue<(byte[] Body, string Signature, string Event)> _received = new();
    private WebApplication _receiver = null!;
    private int _calls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            _received.Enqueue((buffer.ToArray(), http.Request.Headers[WebhookSignature.Header].ToString(), http.Request.Headers["Media-Event"].ToString()));

            // The first delivery fails, as a receiver that is briefly down would.
            return Interlocked.Increment(ref _calls) == 1 ? Results.StatusCode(503) : Results.Ok();
        });
        await _receiver.StartAsync();
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FinishedJob_IsPostedSignedRetriedAndEveryAttemptRecorded()
    {
        var address = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", WebhookUrl = address + "/hook" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);
        Assert.Equal(JobState.Succeeded, job.State);

        WebhookDeliveries deliveries;
        while (true)
        {
            try
            {
                deliveries = await _farm.Client.Jobs.GetWebhookDeliveriesAsync(new GetWebhookDeliveriesRequest { JobId = job.Id }, cancellationToken: timeout.Token);
                if (deliveries.State == WebhookDelivery.Delivered)
                {
                    break;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Not attempted yet.
            }

            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal([503, 200], deliveries.Attempts.Select(a => a.StatusCode));
        Assert.Contains("503", deliveries.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, _received.Count);
        foreach (var (body, signature, kind) in _received)
        {
            Assert.Equal("job.finished", kind);
            Assert.True(WebhookSignature.Verify(Secret, signature, body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)), $"bad signature {signature}");
            Assert.False(WebhookSignature.Verify("other-secret", signature, body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
            var posted = Job.Parser.ParseJson(System.Text.Encoding.UTF8.GetString(body));
            Assert.Equal((job.Id, JobState.Succeeded), (posted.Id, posted.State));
            Assert.Contains(posted.Outputs, o => o.Kind == OutputKind.Video);
        }

        // A replayed delivery (old timestamp) or a changed body is refused by a receiver that checks.
        var (firstBody, firstSignature, _) = _received.First();
        Assert.False(WebhookSignature.Verify(Secret, firstSignature, firstBody, TimeProvider.System.GetUtcNow().AddMinutes(10), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, firstSignature, [.. firstBody, (byte)' '], TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
    }
}
