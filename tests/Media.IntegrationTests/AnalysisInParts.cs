using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;

namespace Media.IntegrationTests;

/// <summary>A source analysed as the farm analyses a long one: each range on its own, handed over through JSON as the analyze stage reads its chunks, then merged.</summary>
internal static class AnalysisInParts
{
    /// <param name="work">The scratch folder of range i.</param>
    public static async Task<(SourceAnalysis Merged, List<AnalysisPart> Parts)> AnalyzeAsync(
        SourceAnalyzer analyzer, string source, MediaProbe probe, AnalysisNeeds needs, IReadOnlyList<TimeRange> ranges, Func<int, string> work, string? script = null)
    {
        var parts = new List<AnalysisPart>();
        foreach (var (i, range) in ranges.Index())
        {
            var part = await analyzer.AnalyzePartAsync(source, probe, needs, range, work(i), _ => { }, CancellationToken.None, script);
            parts.Add(AnalysisPart.FromJson(part.ToJson()));
        }

        return (analyzer.Merge(parts, probe, needs, script), parts);
    }
}
