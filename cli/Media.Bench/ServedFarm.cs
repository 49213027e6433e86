using Media.Pipelines.Tools;
using Media.Bench.Chaos;
using Media.Client;
using Media.Protos.V1;

namespace Media.Bench;

/// <summary>
/// One bench-scale run's farm: a `media serve` process with N workers (stage slots), it and its tools confined by taskset
/// to N cores (as many as the machine has), its settings from environment variables; and the job it runs to the end.
/// </summary>
internal static class ServedFarm
{
    public static async Task<FarmRoleProcess> StartAsync(string name, string scratch, int workers, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var cores = Math.Min(workers, Environment.ProcessorCount);
        var farm = new FarmRoleProcess(name, "serve", Path.Combine(scratch, "farm-" + Guid.NewGuid().ToString("N")[..8]), LoopbackPorts.Free(), environment, workers, cores == 1 ? "0" : $"0-{cores - 1}");
        try
        {
            await farm.StartAsync(cancellationToken);
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Uploads the source, submits the job and waits for it: the finished job, or the farm's log tail when it did not succeed.</summary>
    public static async Task<Job> RunJobAsync(FarmRoleProcess farm, FarmClient client, string source, string pattern, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var request = new SubmitJobRequest { Source = new Source { UploadId = (await client.UploadFileAsync(source, null, cancellationToken)).UploadId }, PatternName = pattern };
        foreach (var (key, value) in parameters)
        {
            request.Parameters[key] = value;
        }
        var job = await client.SubmitAndWaitAsync(request, null, cancellationToken);
        return job.State == JobState.Succeeded ? job : throw new InvalidOperationException($"{farm.Name}: the job ended {job.State}: {job.Error}\n{farm.LogTail}");
    }

    /// <summary>How long a stage ran (started to finished).</summary>
    public static double Busy(Stage stage) => (stage.FinishedAt.ToDateTimeOffset() - stage.StartedAt.ToDateTimeOffset()).TotalSeconds;
}
