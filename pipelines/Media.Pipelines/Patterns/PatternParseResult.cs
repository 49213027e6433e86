namespace Media.Pipelines.Patterns;

public sealed record PatternParseResult(Pattern? Pattern, IReadOnlyList<PatternViolation> Violations)
{
    public bool IsValid => Pattern is not null && Violations.Count == 0;
}
