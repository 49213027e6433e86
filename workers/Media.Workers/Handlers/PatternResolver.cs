using Media.Pipelines.Patterns;
using Media.Pipelines.Render;
using Media.Pipelines.Thumbnails.Templates;
using Media.Protos.V1;

namespace Media.Workers.Handlers;

internal static class PatternResolver
{
    public static Pattern Parse(StageDispatch dispatch)
    {
        var own = new Dictionary<string, ThumbnailTemplate>(StringComparer.Ordinal);
        foreach (var (name, document) in dispatch.Templates)
        {
            own[name] = ThumbnailTemplateParser.Parse(document).Template
                ?? throw new PatternMismatchException($"The dispatched template '{name}' is invalid.");
        }

        var parsed = PatternParser.Parse(dispatch.PatternDocument, own);
        return parsed.IsValid
            ? parsed.Pattern!
            : throw new PatternMismatchException($"The dispatched pattern is invalid: {string.Join("; ", parsed.Violations)}");
    }

    /// <summary>The pattern, the output a render stage makes, and for fan-out patterns which clip (as the dispatch says).</summary>
    public static (Pattern Pattern, PatternOutput Output, int? Clip) Resolve(StageContext context)
    {
        var (pattern, dispatch) = (context.Pattern, context.Dispatch);
        var output = pattern.Outputs.FirstOrDefault(o => o.Name == dispatch.PatternOutput)
            ?? throw new PatternMismatchException($"Pattern '{pattern.Name}' has no output named '{dispatch.PatternOutput}'.");
        return (pattern, output, dispatch.Clip > 0 ? dispatch.Clip : null);
    }
}
