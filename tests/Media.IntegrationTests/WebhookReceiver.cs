using System.Collections.Concurrent;
using Media.JobApi.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>A real HTTP endpoint on a free loopback port that records every webhook POST (body, signature, event).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The URL to give as webhook_url.</summary>
    public string Url { get; private set; } = string.Empty;

    public ConcurrentQueue<(byte[] Body, string Signature, string Event)> Received { get; } = new();

    /// <param name="status">The HTTP status to answer the n-th call (1-based) with; 200 by default.</param>
    public static async Task<WebhookReceiver> StartAsync(Func<int, int>? status = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            receiver.Received.Enqueue((buffer.ToArray(), http.Request.Headers[WebhookSignature.Header].ToString(), http.Request.Headers["Media-Event"].ToString()));
            return Results.StatusCode(status?.Invoke(Interlocked.Increment(ref receiver._calls)) ?? 200);
        });
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";
        return receiver;
    }

    /// <summary>Polls the farm until the job's delivery of <paramref name="eventName"/> is in <paramref name="state"/> with at least <paramref name="attempts"/> attempts.</summary>
    public static async Task<Media.Protos.V1.WebhookDeliveries> WaitForDeliveryAsync(Media.Client.FarmClient client, string jobId, string state, CancellationToken cancellationToken, string eventName = "", int attempts = 0)
    {
        while (true)
        {
            try
            {
                var deliveries = await client.Jobs.GetWebhookDeliveriesAsync(new Media.Protos.V1.GetWebhookDeliveriesRequest { JobId = jobId, Event = eventName }, cancellationToken: cancellationToken);
                if (deliveries.State == state && deliveries.Attempts.Count >= attempts)
                {
                    return deliveries;
                }
            }
            catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                // Not attempted yet.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
