using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Media.JobApi.Auth;
using Media.JobApi.Farm;
using Media.Platform.Bus;
using Media.Protos.V1;

namespace Media.JobApi.Services;

/// <summary>The farm as operators see it: queue depth per pool and priority, and the workers with what they can do and run.</summary>
public sealed class FarmService(WorkerDirectory workers, Platform.Telemetry.QueueDepth queueDepth, TimeProvider time) : Protos.V1.Farm.FarmBase
{
    private static readonly string[] KnownPools = [Topics.CpuPool, Topics.GpuPool];

    public override Task<FarmStatus> GetFarmStatus(GetFarmStatusRequest request, ServerCallContext context)
    {
        // Queues and workers span every tenant: operators only. An anonymous caller got this far only where keys are not
        // required (the single-machine farm); it sees which job a stage serves only for its own tenant's jobs.
        var caller = context.UserState.TryGetValue(Caller.UserStateKey, out var value) && value is Caller known
            ? known
            : throw new InvalidOperationException($"{context.Method} ran without the authentication interceptor.");
        if (caller is { KeyId: not null, IsAdmin: false })
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The farm's status spans every tenant: it needs an API key with the admin role."));
        }

        var status = new FarmStatus { ObservedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        var depth = queueDepth.Current;

        // Every pool and priority appears, zeros included, so a table of them keeps its shape; held jobs and pools
        // beyond the built-in ones come after.
        foreach (var pool in KnownPools)
        {
            foreach (var priority in Priorities.All.Select(p => p.Name()))
            {
                status.Queues.Add(new PoolQueueDepth { Pool = pool, Priority = priority, Depth = depth.GetValueOrDefault((pool, priority)) });
            }
        }

        // Held jobs (over their tenant's running allowance) have no pool yet; the orchestrator counts them under cpu.
        status.Queues.Add(new PoolQueueDepth { Pool = Topics.CpuPool, Priority = Topics.Held, Depth = depth.GetValueOrDefault((Topics.CpuPool, Topics.Held)) });
        foreach (var ((pool, priority), count) in depth.OrderBy(d => d.Key.Pool, StringComparer.Ordinal).ThenBy(d => d.Key.Priority, StringComparer.Ordinal))
        {
            if ((pool, priority) != (Topics.CpuPool, Topics.Held) && (!KnownPools.Contains(pool) || !Priorities.TryParse(priority, out _)))
            {
                status.Queues.Add(new PoolQueueDepth { Pool = pool, Priority = priority, Depth = count });
            }
        }

        foreach (var worker in workers.Current())
        {
            var shown = worker.Clone();
            foreach (var stage in caller.IsAdmin ? [] : shown.Running)
            {
                if (TenantOf(stage) != caller.Tenant)
                {
                    stage.JobId = stage.StageId = string.Empty;
                }

                stage.Tenant = string.Empty;
            }

            status.Workers.Add(shown);
        }

        return Task.FromResult(status);
    }

    private static string TenantOf(RunningStage stage) => stage.Tenant.Length == 0 ? Store.TenantIds.Default : stage.Tenant;
}
