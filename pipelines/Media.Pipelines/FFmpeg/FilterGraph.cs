namespace Media.Pipelines.FFmpeg;

/// <summary>A whole -filter_complex: chains joined with ';'.</summary>
public sealed record FilterGraph(IReadOnlyList<FilterChain> Chains)
{
    public bool IsEmpty => Chains.Count == 0;

    public string Render() => string.Join(';', Chains.Select(c => c.Render()));
}
