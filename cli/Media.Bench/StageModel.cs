namespace Media.Bench;

/// <summary>
/// A critical-path model of one job on N workers, from stage times measured on one: list scheduling, where each stage, in
/// the order given, starts on the worker free soonest once the stages it waits for have ended. This is what the farm's
/// dispatcher does with one stage per free slot; the model leaves out dispatch latency and cores shared by workers, so it
/// is the time N workers with a core each could reach.
/// </summary>
internal static class StageModel
{
    /// <param name="Id">Unique within the job.</param>
    /// <param name="Seconds">Measured run time on one worker.</param>
    /// <param name="After">Stages it waits for (ids earlier in the list).</param>
    public sealed record Stage(string Id, double Seconds, IReadOnlyList<string> After);

    /// <summary>When each stage ends on <paramref name="workers"/> workers, from time <paramref name="start"/>.</summary>
    public static IReadOnlyDictionary<string, double> Schedule(IReadOnlyList<Stage> stages, int workers, double start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var free = Enumerable.Repeat(start, workers).ToArray();
        var ends = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var ready = stage.After.Select(a => ends.TryGetValue(a, out var end) ? end : throw new ArgumentException($"Stage {stage.Id} waits for {a}, which is not before it.", nameof(stages)))
                .DefaultIfEmpty(start).Max();
            var soonest = Array.IndexOf(free, free.Min());
            var begins = Math.Max(ready, free[soonest]);
            free[soonest] = begins + stage.Seconds;
            ends[stage.Id] = free[soonest];
        }

        return ends;
    }
}
