namespace Media.Pipelines.Analysis;

/// <summary>A chosen clip of a fan-out: source window (seconds), score (0..1), rank (1 = best) and why.</summary>
public sealed record ClipChoice(double Start, double End, double Score, int Rank, string Reason);
