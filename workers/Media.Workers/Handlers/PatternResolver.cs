using Media.Pipelines.Patterns;
using Media.Protos.V1;

namespace Media.Workers.Handlers;

internal static class PatternResolver
{
    public static (Pattern Pattern, PatternOutput Output) Resolve(StageDispatch dispatch)
    {
        var parsed = PatternParser.Parse(dispatch.PatternDocument);
        if (!parsed.IsValid)
        {
            throw new PatternMismatchException($"The dispatched pattern is invalid: {string.Join("; ", parsed.Violations)}");
        }

        var output = parsed.Pattern!.Outputs.FirstOrDefault(o => o.Name == dispatch.OutputName)
            ?? throw new PatternMismatchException($"Pattern '{parsed.Pattern.Name}' has no output named '{dispatch.OutputName}'.");
        return (parsed.Pattern, output);
    }
}
