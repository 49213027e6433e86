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
    public static (Pattern Pattern, PatternOutput Output, int? Clip) Resolve(StageContext context) =>
        Resolve(context, context.Dispatch.PatternOutput, context.Dispatch.Clip);

    /// <summary>The pattern and one of its outputs by name (a variant the stage also renders: clip 0).</summary>
    public static (Pattern Pattern, PatternOutput Output, int? Clip) Resolve(StageContext context, string patternOutput, int clip)
    {
        var pattern = context.Pattern;
        var output = pattern.Outputs.FirstOrDefault(o => o.Name == patternOutput)
            ?? throw new PatternMismatchException($"Pattern '{pattern.Name}' has no output named '{patternOutput}'.");
        return (pattern, output, clip > 0 ? clip : null);
    }
}
