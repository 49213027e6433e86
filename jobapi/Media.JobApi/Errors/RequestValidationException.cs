namespace Media.JobApi.Errors;

/// <summary>The request is malformed; maps to InvalidArgument with BadRequest field violations.</summary>
public sealed class RequestValidationException(IReadOnlyList<FieldViolation> violations)
    : Exception(string.Join("; ", violations))
{
    public RequestValidationException(string field, string description)
        : this([new FieldViolation(field, description)])
    {
    }

    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}
