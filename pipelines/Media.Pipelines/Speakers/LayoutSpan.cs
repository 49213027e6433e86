namespace Media.Pipelines.Speakers;

/// <summary>How a stretch of the source fills a vertical frame other than by the one crop.</summary>
public enum LayoutKind
{
    /// <summary>Two windows stacked: the left person on top, the right one below.</summary>
    Split,

    /// <summary>The whole picture fitted over a blurred copy of itself (more people than one crop holds).</summary>
    Wide,
}

/// <summary>Source time [<see cref="Start"/>, <see cref="End"/>) shown as <see cref="Kind"/>; the rest of the time is the crop.</summary>
public sealed record LayoutSpan(double Start, double End, LayoutKind Kind);

/// <summary>The two people a split shows at one sample: the tracks (<see cref="PersonTrack.Id"/>) on top (the left one) and below.</summary>
public readonly record struct LayoutPair(int Top, int Bottom);

/// <summary>
/// When the frame is not the one crop (<see cref="Spans"/>), and at each sample of the people analysis (index k at
/// k / rate) the two people a split there shows (null: fewer than two on screen).
/// </summary>
public sealed record LayoutPlan(IReadOnlyList<LayoutSpan> Spans, IReadOnlyList<LayoutPair?> Pairs)
{
    public static readonly LayoutPlan None = new([], []);
}
