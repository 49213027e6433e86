using System.Globalization;
using System.Text.RegularExpressions;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Thumbnails.Templates;
using Media.Pipelines.Yaml;
using YamlDotNet.RepresentationModel;

namespace Media.Pipelines.Patterns;

/// <summary>
/// Reads a pattern document (YAML, or JSON which is YAML too) and reports every problem with its path.
/// Unknown fields are errors: a typo must not silently become a default.
/// </summary>
public static partial class PatternParser
{
    public const int MaxDocumentLength = 256 * 1024;
    public const int MaxOutputs = 20;

    /// <param name="document">YAML or JSON.</param>
    /// <param name="templates">The caller's own cover templates by name (built-ins are always known).</param>
    public static PatternParseResult Parse(string document, IReadOnlyDictionary<string, ThumbnailTemplate>? templates = null)
    {
        var violations = new List<PatternViolation>();
        var root = YamlLoader.LoadMapping(document, MaxDocumentLength, violations);
        if (root is null)
        {
            return new PatternParseResult(null, violations);
        }

        var fields = new YamlFields(root, "", violations);
        fields.AllowOnly("apiVersion", "kind", "name", "description", "outputs", "steps", "thumbnail");

        var apiVersion = fields.String("apiVersion", required: true);
        if (apiVersion is not null && apiVersion != Pattern.CurrentApiVersion)
        {
            violations.Add(new("apiVersion", $"'{apiVersion}' is not supported; use '{Pattern.CurrentApiVersion}'"));
        }

        var kind = fields.String("kind", required: false);
        if (kind is not null && kind != "Pattern")
        {
            violations.Add(new("kind", "must be 'Pattern'"));
        }

        var name = fields.String("name", required: true);
        if (name is not null && !NameRegex().IsMatch(name))
        {
            violations.Add(new("name", "must be 1-64 lowercase letters, digits or '-', starting with a letter"));
        }

        var description = fields.String("description", required: false) ?? string.Empty;
        var outputs = ParseOutputs(fields, violations);
        var steps = StepsParser.Parse(fields, violations);
        var thumbnail = ParseThumbnail(fields, outputs, templates, violations);

        if (violations.Count > 0 || name is null)
        {
            return new PatternParseResult(null, violations);
        }

        return new PatternParseResult(
            new Pattern
            {
                Name = name,
                ApiVersion = apiVersion!,
                Description = description,
                Outputs = outputs,
                Steps = steps,
                Thumbnail = thumbnail,
                Document = document,
            },
            violations);
    }

    private static List<PatternOutput> ParseOutputs(YamlFields fields, List<PatternViolation> violations)
    {
        var result = new List<PatternOutput>();
        var items = fields.Sequence("outputs", required: true);
        if (items is null)
        {
            return result;
        }

        if (items.Children.Count == 0)
        {
            violations.Add(new("outputs", "must list at least one output"));
        }

        if (items.Children.Count > MaxOutputs)
        {
            violations.Add(new("outputs", $"has {items.Children.Count} outputs; the limit is {MaxOutputs}"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Children.Count; i++)
        {
            var path = $"outputs[{i}]";
            if (items.Children[i] is not YamlMappingNode node)
            {
                violations.Add(new(path, "must be a mapping with name and preset"));
                continue;
            }

            var output = new YamlFields(node, path, violations);
            output.AllowOnly("name", "preset", "width", "height", "aspect", "hardware");
            var outputName = output.String("name", required: true);
            if (outputName is not null && !NameRegex().IsMatch(outputName))
            {
                violations.Add(new($"{path}.name", "must be 1-64 lowercase letters, digits or '-', starting with a letter"));
            }
            else if (outputName is not null && !names.Add(outputName))
            {
                violations.Add(new($"{path}.name", $"'{outputName}' is used by another output"));
            }

            var presetName = output.String("preset", required: true);
            var preset = presetName is null ? null : EncodePreset.Find(presetName);
            if (presetName is not null && preset is null)
            {
                violations.Add(new($"{path}.preset", $"unknown preset '{presetName}'; known: {string.Join(", ", EncodePreset.All.Select(p => p.Name))}"));
            }

            var width = output.Int("width", 16, 7680);
            var height = output.Int("height", 16, 7680);
            if (width % 2 == 1)
            {
                violations.Add(new($"{path}.width", "must be even (H.264 4:2:0 needs even dimensions)"));
            }

            if (height % 2 == 1)
            {
                violations.Add(new($"{path}.height", "must be even (H.264 4:2:0 needs even dimensions)"));
            }

            var aspect = output.String("aspect", required: false);
            (int W, int H)? aspectSize = null;
            if (aspect is not null)
            {
                aspectSize = preset is null ? null : AspectSize(aspect, preset);
                if (preset is not null && aspectSize is null)
                {
                    violations.Add(new($"{path}.aspect", $"unknown aspect '{aspect}'; known: 9:16, 1:1, 4:5, 16:9"));
                }

                if (width is not null || height is not null)
                {
                    violations.Add(new($"{path}.aspect", "give aspect or width/height, not both"));
                }
            }

            var hardware = output.String("hardware", required: false) switch
            {
                null or "cpu" => OutputHardware.Cpu,
                "gpu" => OutputHardware.Gpu,
                var other => Invalid(other),
            };

            if (outputName is not null && preset is not null)
            {
                result.Add(new PatternOutput(outputName, preset, width ?? aspectSize?.W ?? preset.Width, height ?? aspectSize?.H ?? preset.Height) { Hardware = hardware });
            }

            OutputHardware Invalid(string value)
            {
                violations.Add(new($"{path}.hardware", $"unknown hardware '{value}'; use cpu (libx264) or gpu (NVENC, run by GPU workers only)"));
                return OutputHardware.Cpu;
            }
        }

        return result;
    }

    private static ThumbnailSpec? ParseThumbnail(YamlFields fields, IReadOnlyList<PatternOutput> outputs, IReadOnlyDictionary<string, ThumbnailTemplate>? own, List<PatternViolation> violations)
    {
        var thumbnail = fields.Child("thumbnail");
        if (thumbnail is null)
        {
            return null;
        }

        thumbnail.AllowOnly("frames", "templates");
        var frames = thumbnail.Int("frames", 1, ThumbnailSpec.MaxFrames) ?? 1;
        var templates = new List<ThumbnailTemplate>();
        var items = thumbnail.Sequence("templates", required: false);
        if (items is null)
        {
            // Default cover shape follows the first output's shape.
            var first = outputs.Count > 0 ? outputs[0] : null;
            var name = first is null || first.Height > first.Width ? "vertical-cover" : first.Height == first.Width ? "square-clean" : "youtube-bold";
            templates.Add(ThumbnailTemplateLibrary.Find(name)!);
            return new ThumbnailSpec(templates, frames);
        }

        if (items.Children.Count is 0 or > ThumbnailSpec.MaxTemplates)
        {
            violations.Add(new(thumbnail.PathOf("templates"), $"must list 1 to {ThumbnailSpec.MaxTemplates} templates"));
        }

        for (var i = 0; i < items.Children.Count; i++)
        {
            var path = $"{thumbnail.PathOf("templates")}[{i}]";
            switch (items.Children[i])
            {
                case YamlScalarNode { Value: { } name }:
                    if ((ThumbnailTemplateLibrary.Find(name) ?? own?.GetValueOrDefault(name)) is { } known)
                    {
                        templates.Add(known);
                    }
                    else
                    {
                        violations.Add(new(path, $"unknown template '{name}'; built-in: {string.Join(", ", ThumbnailTemplateLibrary.All.Select(t => t.Name).Order(StringComparer.Ordinal))}; yours: {(own is null || own.Count == 0 ? "none" : string.Join(", ", own.Keys.Order(StringComparer.Ordinal)))} (or write one inline)"));
                    }

                    break;
                case YamlMappingNode inline:
                    if (ThumbnailTemplateParser.Parse(inline, path, violations, requireHeader: false) is { } parsed)
                    {
                        templates.Add(parsed);
                    }

                    break;
                default:
                    violations.Add(new(path, "must be a template name or an inline template"));
                    break;
            }
        }

        if (templates.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != templates.Count)
        {
            violations.Add(new(thumbnail.PathOf("templates"), "lists a template name twice"));
        }

        return new ThumbnailSpec(templates, frames);
    }

    // The preset's short side stays; the other follows the aspect (tiktok 1080: 1080x1920, 1080x1080, 1080x1350, 1920x1080).
    private static (int W, int H)? AspectSize(string aspect, EncodePreset preset)
    {
        var shortSide = Math.Min(preset.Width, preset.Height);
        return aspect switch
        {
            "9:16" => (shortSide, shortSide * 16 / 9 / 2 * 2),
            "1:1" => (shortSide, shortSide),
            "4:5" => (shortSide, shortSide * 5 / 4 / 2 * 2),
            "16:9" => (shortSide * 16 / 9 / 2 * 2, shortSide),
            _ => null,
        };
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex NameRegex();
}
