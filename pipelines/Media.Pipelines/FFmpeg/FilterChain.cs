namespace Media.Pipelines.FFmpeg;

/// <summary>Filters applied in sequence between input and output pad labels: [0:v]scale=...,crop=...[v].</summary>
public sealed record FilterChain(IReadOnlyList<string> Inputs, IReadOnlyList<Filter> Filters, IReadOnlyList<string> Outputs)
{
    public string Render() =>
        string.Concat(Inputs.Select(i => $"[{i}]"))
        + string.Join(',', Filters.Select(f => f.Render()))
        + string.Concat(Outputs.Select(o => $"[{o}]"));
}
