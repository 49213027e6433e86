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

/// <summary>A planned span and, for a split, the tracks (<see cref="PersonTrack.Id"/>) shown on top and below.</summary>
public sealed record LayoutChoice(LayoutSpan Span, int? Top, int? Bottom);
