using System.Collections.Concurrent;
using Grpc.Core;
using Media.Client;
using Media.Protos.V1;

namespace Media.Bench.Chaos;

/// <summary>
/// The bench's clients: per tenant (an API key made with the bootstrap admin key) one client per job API replica.
/// A call that meets a dead or restarting replica is retried on the next one, with the same request: submissions
/// carry idempotency keys, so a retry never makes a second job.
/// </summary>
internal sealed class ChaosClients : IDisposable
{
    private readonly FarmClient[][] _clients;
    private readonly string[] _uploads;

    private ChaosClients(FarmClient[][] clients, string[] uploads) => (_clients, _uploads) = (clients, uploads);

    /// <summary>Job ids by plan index, as soon as a submission is answered (the retry storm resubmits these).</summary>
    public ConcurrentDictionary<int, string> Submitted { get; } = new();

    /// <summary>Calls retried after a transient failure, by status code.</summary>
    public ConcurrentDictionary<StatusCode, int> Retries { get; } = new();

    public static async Task<ChaosClients> CreateAsync(IReadOnlyList<string> addresses, string bootstrapKey, int tenants, string clip, CancellationToken cancellationToken)
    {
        using var admin = new FarmClient(addresses[0], bootstrapKey);
        var clients = new FarmClient[tenants][];
        var uploads = new string[tenants];
        for (var t = 0; t < tenants; t++)
        {
            var key = (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Tenant = $"chaos-{t + 1}", Label = "bench-chaos" }, cancellationToken: cancellationToken)).Secret;
            clients[t] = [.. addresses.Select(a => new FarmClient(a, key))];
            uploads[t] = (await clients[t][0].UploadFileAsync(clip, null, cancellationToken)).UploadId;
        }

        return new ChaosClients(clients, uploads);
    }

    public static bool Transient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.Cancelled;

    public FarmClient Client(int tenant, int replica) => _clients[tenant][Math.Abs(replica) % _clients[tenant].Length];

    public string UploadId(int tenant) => _uploads[tenant];

    /// <summary>One unary call with a 15 s deadline, retried on the next replica until it answers or the run is cancelled.</summary>
    public async Task<T> CallAsync<T>(int tenant, int replica, Func<Jobs.JobsClient, DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call(Client(tenant, replica).Jobs, DateTime.UtcNow.AddSeconds(15));
            }
            catch (RpcException ex) when (Transient(ex.StatusCode) && !cancellationToken.IsCancellationRequested)
            {
                Retries.AddOrUpdate(ex.StatusCode, 1, (_, n) => n + 1);
                replica++;
                await Task.Delay(300, cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.SelectMany(c => c))
        {
            client.Dispose();
        }
    }
}
