namespace Media.Pipelines.Patterns;

/// <summary>One problem in a pattern document: where (e.g. "outputs[0].preset") and why.</summary>
public sealed record PatternViolation(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}
