using System.Diagnostics.Metrics;

namespace Media.Platform.Telemetry;

/// <summary>
/// Work waiting per pool and priority, as last counted by whoever owns the numbers (the orchestrator's sweep);
/// exported as the media.queue.depth gauge. Reading it never touches the store.
/// </summary>
public sealed class QueueDepth
{
    private volatile IReadOnlyDictionary<(string Pool, string Priority), long> _depth = new Dictionary<(string, string), long>();

    // On the host's meter, not the static one: a gauge holds its owner, and a process hosting several farms
    // (tests, benches) must not keep exporting the gauges of farms already stopped.
    public QueueDepth(IMeterFactory meters) =>
        meters.Create(FarmTelemetry.Name).CreateObservableGauge("media.queue.depth", Observe, "{stage}", "Stages dispatched and not yet started, per pool and priority; held jobs under tag priority=held.");

    public void Set(IReadOnlyDictionary<(string Pool, string Priority), long> depth) => _depth = depth;

    public IReadOnlyDictionary<(string Pool, string Priority), long> Current => _depth;

    private IEnumerable<Measurement<long>> Observe() =>
        _depth.Select(d => new Measurement<long>(d.Value, new("pool", d.Key.Pool), new("priority", d.Key.Priority)));
}
