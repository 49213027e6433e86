namespace Media.JobApi.Errors;

/// <summary>One bad request field: which ("source.upload_id") and why.</summary>
public sealed record FieldViolation(string Field, string Description)
{
    public override string ToString() => $"{Field}: {Description}";
}
