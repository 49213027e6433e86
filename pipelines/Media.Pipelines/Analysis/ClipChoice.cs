namespace Media.Pipelines.Analysis;

/// <summary>A chosen clip of a fan-out: source window (seconds), score (0..1), rank (1 = best) and why.</summary>
public sealed record ClipChoice(double Start, double End, double Score, int Rank, string Reason)
{
    /// <summary>Each feature's mean contribution to the hook score over the clip's opening (the explanation).</summary>
    public IReadOnlyDictionary<string, double>? Contributions { get; init; }

    /// <summary>Mean feature values over the clip's opening: what engagement feedback trains the scorer on.</summary>
    public IReadOnlyDictionary<string, double>? Features { get; init; }
}
