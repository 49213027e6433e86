using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Media.Platform.Bus;
using Media.Protos.V1;
using Media.Workers.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Workers;

/// <summary>
/// Describes this worker on media.workers every AnnounceSeconds (pool, slots, running stages, probed capabilities)
/// and once more when it stops, so operators see the farm as it is. Losing an announcement costs nothing: the next
/// one replaces it, and a worker silent for three intervals drops off the list.
/// </summary>
public sealed class WorkerAnnouncer(
    StageWorker worker,
    WorkerHardware hardware,
    IMessageBus bus,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkerAnnouncer> logger) : BackgroundService
{
    private static readonly string Version =
        typeof(WorkerAnnouncer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private readonly Timestamp _startedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
    private bool _warned;

    /// <summary>What the next announcement will say.</summary>
    public WorkerInfo Describe()
    {
        var capabilities = hardware.Current;
        var info = new WorkerInfo
        {
            WorkerId = worker.WorkerId,
            Pool = worker.Pool,
            Host = Environment.MachineName,
            Slots = worker.Slots,
            TakingWork = worker.TakingWork,
            StartedAt = _startedAt,
            LastSeenAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            AnnounceSeconds = options.Value.AnnounceSeconds,
            Version = Version,
        };
        info.Running.AddRange(worker.DescribeRunning());
        info.Capabilities.Add(Of("nvenc", capabilities.Nvenc));
        info.Capabilities.Add(Of("cuda_decode", capabilities.CudaDecode));
        info.Capabilities.Add(Of("onnx_cuda", capabilities.OnnxCuda));
        info.Capabilities.Add(Of("whisper_gpu", capabilities.WhisperGpu));
        info.Devices.AddRange(capabilities.Devices);
        return info;

        static WorkerCapability Of(string name, Capability capability) => new() { Name = name, Available = capability.Available, Detail = capability.Detail };
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await AnnounceAsync(stopping: true, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.AnnounceSeconds), time);
        try
        {
            // The first announcement says whether the worker takes work, so it waits (an interval at most) until that is known.
            try
            {
                await worker.Decided.WaitAsync(TimeSpan.FromSeconds(options.Value.AnnounceSeconds), time, stoppingToken);
            }
            catch (TimeoutException)
            {
                // Still starting (a slow hardware probe): say so now rather than stay invisible.
            }

            do
            {
                await AnnounceAsync(stopping: false, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; StopAsync says goodbye.
        }
    }

    private async Task AnnounceAsync(bool stopping, CancellationToken cancellationToken)
    {
        var announcement = new WorkerAnnouncement { Worker = Describe(), Stopping = stopping };
        try
        {
            await bus.PublishAsync(new BusMessage(Topics.Workers, worker.WorkerId, announcement.ToByteArray()), cancellationToken);
            _warned = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The bus being away is reported by readiness; say it here once per outage, not every interval.
            if (!_warned)
            {
                logger.LogWarning(ex, "Could not announce worker {WorkerId}; trying again every {Seconds} s", worker.WorkerId, options.Value.AnnounceSeconds);
                _warned = true;
            }
        }
    }
}
