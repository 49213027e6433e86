using System.Collections.Concurrent;
using Media.KafkaMock;

namespace Media.Bench.Chaos;

/// <summary>
/// The faults: every KillEvery a SIGKILL of a random running farm process (API replica or worker), each victim
/// restarted after a random 1-4 s; and, spread over the kills, three storage outages (s3rver stopped), three bus
/// outages (every mock broker down), one PostgreSQL restart (immediate stop) and one client-side retry storm (up to
/// 50 answered submissions sent again with their keys, which must return the same jobs).
/// </summary>
internal sealed class ChaosLoop(
    IReadOnlyList<FarmRoleProcess> processes, ThrowawayPostgres postgres, LocalS3 s3, KafkaMockCluster kafka, ChaosSettings settings, ChaosClients farm,
    IReadOnlyList<PlannedJob> plan, string webhook, string run)
{
    private readonly List<Task> _restarts = [];

    /// <summary>The farm's processes, for what their logs counted.</summary>
    public IReadOnlyList<FarmRoleProcess> Processes => processes;

    public ConcurrentDictionary<string, int> Kills { get; } = new(StringComparer.Ordinal);

    public int StorageOutages { get; private set; }

    public int BusOutages { get; private set; }

    public int DatabaseRestarts { get; private set; }

    public int StormSent { get; private set; }

    public int StormMismatches { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed);
        var schedule = Schedule(settings.Kills);
        try
        {
            for (var k = 0; k < settings.Kills; k++)
            {
                await Task.Delay(settings.KillEvery, cancellationToken);
                foreach (var fault in schedule.GetValueOrDefault(k) ?? [])
                {
                    await InjectAsync(fault, cancellationToken);
                }

                var running = processes.Where(p => p.Running).ToList();
                if (running.Count == 0)
                {
                    continue;
                }

                var victim = running[random.Next(running.Count)];
                await victim.KillAsync();
                Kills.AddOrUpdate(victim.Role, 1, (_, n) => n + 1);
                var pause = TimeSpan.FromSeconds(1 + (random.NextDouble() * 3));
                lock (_restarts)
                {
                    _restarts.Add(RestartLaterAsync(victim, pause));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run's deadline: the invariants report what did not end.
        }
    }

    /// <summary>After the chaos: the bus and storage up, every process running again.</summary>
    public async Task HealAsync(CancellationToken cancellationToken)
    {
        kafka.SetAvailable(true);
        Task[] pending;
        lock (_restarts)
        {
            pending = [.. _restarts];
        }

        await Task.WhenAll(pending);
        foreach (var process in processes.Where(p => !p.Running))
        {
            await process.StartAsync(cancellationToken);
        }
    }

    /// <summary>Which faults come before which kill: storage at 10, 40 and 70% of the kills, the bus at 20, 50 and 80%, the database at 60%, the storm at 30%.</summary>
    private static Dictionary<int, List<string>> Schedule(int kills)
    {
        var schedule = new Dictionary<int, List<string>>();
        if (kills == 0)
        {
            return schedule;
        }

        foreach (var (fault, at) in (ReadOnlySpan<(string, double)>)[("storage", 0.1), ("bus", 0.2), ("storm", 0.3), ("storage", 0.4), ("bus", 0.5), ("database", 0.6), ("storage", 0.7), ("bus", 0.8)])
        {
            var k = Math.Min(kills - 1, (int)(at * kills));
            (schedule.TryGetValue(k, out var list) ? list : schedule[k] = []).Add(fault);
        }

        return schedule;
    }

    private async Task InjectAsync(string fault, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case "storage":
                await s3.StopAsync();
                await Task.Delay(settings.Outage, CancellationToken.None);
                await s3.StartAsync();
                StorageOutages++;
                break;
            case "bus":
                kafka.SetAvailable(false);
                await Task.Delay(settings.Outage, CancellationToken.None);
                kafka.SetAvailable(true);
                BusOutages++;
                break;
            case "database":
                await postgres.RestartAsync(CancellationToken.None);
                DatabaseRestarts++;
                break;
            case "storm":
                await StormAsync(cancellationToken);
                break;
        }
    }

    private async Task StormAsync(CancellationToken cancellationToken)
    {
        var answered = farm.Submitted.OrderBy(s => s.Key).Take(50).ToList();
        await Task.WhenAll(answered.Select(async s =>
        {
            var planned = plan[s.Key];
            var again = await farm.CallAsync(planned.Tenant, s.Key, (jobs, deadline) => jobs.SubmitJobAsync(ChaosBenchCommand.Request(planned, farm.UploadId(planned.Tenant), webhook, run), deadline: deadline).ResponseAsync, cancellationToken);
            if (again.Id != s.Value)
            {
                lock (_restarts)
                {
                    StormMismatches++;
                }
            }
        }));
        StormSent += answered.Count;
    }

    private static async Task RestartLaterAsync(FarmRoleProcess victim, TimeSpan pause)
    {
        await Task.Delay(pause);
        for (var attempt = 1; !victim.Running; attempt++)
        {
            try
            {
                await victim.StartAsync(CancellationToken.None);
            }
            catch (InvalidOperationException ex) when (attempt < 5)
            {
                Console.Error.WriteLine($"restarting {victim.Name} failed (attempt {attempt}), trying again: {ex.Message.Split('\n')[0]}");
                await Task.Delay(1000);
            }
        }
    }
}
