namespace Media.Workers;

/// <summary>The dispatched pattern document is unusable for this stage (invalid, or lacks the named output).</summary>
public sealed class PatternMismatchException(string message) : Exception(message);
