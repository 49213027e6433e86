namespace Media.Pipelines.Tools;

/// <summary>
/// The cores the tools a piece of work starts (ffmpeg, ffprobe, PocketSphinx) may run on: a worker slot's share of the
/// machine when the worker pins its slots (Media:Worker:PinSlots). It flows with the work's async calls, so every tool a
/// stage starts, however deep, is confined by <see cref="ToolRunner"/> (through taskset) without being passed around.
/// Two encoders left to share all cores contend for them (measured on 2 cores: two 1080p H.264 encodes side by side
/// took 9% longer each than alone; each on its own core, as long as alone).
/// </summary>
public static class ToolCpus
{
    private static readonly AsyncLocal<string?> CurrentList = new();

    /// <summary>A taskset CPU list ("0", "4-7", "0,2"), or null: any core the process may use.</summary>
    public static string? Current => CurrentList.Value;

    /// <summary>Confines the tools started by the calling async flow to <paramref name="cpuList"/> until the scope ends.</summary>
    public static IDisposable Use(string? cpuList)
    {
        var previous = CurrentList.Value;
        CurrentList.Value = cpuList;
        return new Scope(previous);
    }

    /// <summary>
    /// Each of <paramref name="slots"/> slots' cores: the cores split into as many contiguous, equal runs (the first
    /// slots take one more when they do not divide), each as a taskset CPU list. Null when there are fewer cores than
    /// slots: pinning would put two stages on one core while others idle.
    /// </summary>
    public static IReadOnlyList<string>? Split(IReadOnlyList<int> cores, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        if (cores.Count < slots)
        {
            return null;
        }

        var sorted = cores.Order().ToList();
        var lists = new List<string>();
        var next = 0;
        for (var slot = 0; slot < slots; slot++)
        {
            var take = (sorted.Count / slots) + (slot < sorted.Count % slots ? 1 : 0);
            lists.Add(List(sorted.GetRange(next, take)));
            next += take;
        }

        return lists;
    }

    /// <summary>The cores this process may run on (its affinity: taskset, a container's cpuset), lowest first.</summary>
    public static IReadOnlyList<int> Allowed()
    {
        // /proc/self/status holds the list for any number of cores (the affinity mask .NET returns stops at 64).
        const string Key = "Cpus_allowed_list:";
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal)) : null;
        return line is null ? [.. Enumerable.Range(0, Environment.ProcessorCount)] : Parse(line[Key.Length..].Trim());
    }

    /// <summary>"0-3,8,10-11" -> 0,1,2,3,8,10,11.</summary>
    public static IReadOnlyList<int> Parse(string cpuList) =>
        [.. cpuList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SelectMany(range =>
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var first = int.Parse(dash < 0 ? range : range[..dash], System.Globalization.CultureInfo.InvariantCulture);
            var last = dash < 0 ? first : int.Parse(range[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return Enumerable.Range(first, last - first + 1);
        }).Distinct().Order()];

    // Runs of consecutive cores as ranges: 0,1,2,5 -> "0-2,5".
    private static string List(IReadOnlyList<int> cores)
    {
        var parts = new List<string>();
        for (var i = 0; i < cores.Count;)
        {
            var j = i;
            while (j + 1 < cores.Count && cores[j + 1] == cores[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? cores[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : FormattableString.Invariant($"{cores[i]}-{cores[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => CurrentList.Value = previous;
    }
}
