using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
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

    public static PatternParseResult Parse(string document)
    {
        var violations = new List<PatternViolation>();
        if (string.IsNullOrWhiteSpace(document))
        {
            return Fail("$", "the document is empty");
        }

        if (document.Length > MaxDocumentLength)
        {
            return Fail("$", $"the document is {document.Length} characters; the limit is {MaxDocumentLength}");
        }

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(document));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                return Fail("$", "must be one mapping (an object) at the top level");
            }

            root = mapping;
        }
        catch (YamlException ex)
        {
            return Fail("$", $"not valid YAML/JSON at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}");
        }

        var fields = new Fields(root, "", violations);
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
        var reframe = ParseSteps(fields, violations);
        var thumbnail = ParseThumbnail(fields, violations);

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
                Reframe = reframe,
                Thumbnail = thumbnail,
                Document = document,
            },
            violations);

        PatternParseResult Fail(string path, string reason) => new(null, [new PatternViolation(path, reason)]);
    }

    private static List<PatternOutput> ParseOutputs(Fields fields, List<PatternViolation> violations)
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

            var output = new Fields(node, path, violations);
            output.AllowOnly("name", "preset", "width", "height");
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

            if (outputName is not null && preset is not null)
            {
                result.Add(new PatternOutput(outputName, preset, width ?? preset.Width, height ?? preset.Height));
            }
        }

        return result;
    }

    private static ReframeMode ParseSteps(Fields fields, List<PatternViolation> violations)
    {
        var mode = ReframeMode.Center;
        var steps = fields.Sequence("steps", required: false);
        if (steps is null)
        {
            return mode;
        }

        for (var i = 0; i < steps.Children.Count; i++)
        {
            var path = $"steps[{i}]";
            if (steps.Children[i] is not YamlMappingNode step || step.Children.Count != 1)
            {
                violations.Add(new(path, "must be a mapping with exactly one step name, e.g. 'reframe: { mode: center }'"));
                continue;
            }

            var (key, value) = step.Children.First();
            var stepName = (key as YamlScalarNode)?.Value ?? string.Empty;
            switch (stepName)
            {
                case "reframe":
                    if (value is not YamlMappingNode body)
                    {
                        violations.Add(new($"{path}.reframe", "must be a mapping, e.g. { mode: center }"));
                        break;
                    }

                    var reframe = new Fields(body, $"{path}.reframe", violations);
                    reframe.AllowOnly("mode");
                    var modeText = reframe.String("mode", required: true);
                    switch (modeText)
                    {
                        case null:
                            break;
                        case "center":
                            mode = ReframeMode.Center;
                            break;
                        case "blur-fill":
                            mode = ReframeMode.BlurFill;
                            break;
                        default:
                            violations.Add(new($"{path}.reframe.mode", $"unknown mode '{modeText}'; known: center, blur-fill"));
                            break;
                    }

                    break;
                default:
                    violations.Add(new(path, $"unknown step '{stepName}'; known: reframe"));
                    break;
            }
        }

        return mode;
    }

    private static ThumbnailSpec? ParseThumbnail(Fields fields, List<PatternViolation> violations)
    {
        var node = fields.Mapping("thumbnail");
        if (node is null)
        {
            return null;
        }

        var thumbnail = new Fields(node, "thumbnail", violations);
        thumbnail.AllowOnly("title", "at");
        var title = thumbnail.String("title", required: false) ?? string.Empty;
        var at = thumbnail.Double("at", 0, 1) ?? 0.33;
        return new ThumbnailSpec(title, at);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex NameRegex();

    /// <summary>Typed, path-reporting access to a mapping's fields.</summary>
    private sealed class Fields(YamlMappingNode node, string path, List<PatternViolation> violations)
    {
        public void AllowOnly(params string[] known)
        {
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "?";
                if (!known.Contains(name, StringComparer.Ordinal))
                {
                    violations.Add(new(Join(name), $"unknown field; allowed: {string.Join(", ", known)}"));
                }
            }
        }

        public string? String(string name, bool required)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(name), out var value))
            {
                if (required)
                {
                    violations.Add(new(Join(name), "is required"));
                }

                return null;
            }

            if (value is not YamlScalarNode scalar || scalar.Value is null)
            {
                violations.Add(new(Join(name), "must be a string"));
                return null;
            }

            return scalar.Value;
        }

        public int? Int(string name, int min, int max)
        {
            var text = String(name, required: false);
            if (text is null)
            {
                return null;
            }

            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                violations.Add(new(Join(name), $"must be a whole number between {min} and {max}"));
                return null;
            }

            return value;
        }

        public double? Double(string name, double min, double max)
        {
            var text = String(name, required: false);
            if (text is null)
            {
                return null;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                violations.Add(new(Join(name), $"must be a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"));
                return null;
            }

            return value;
        }

        public YamlSequenceNode? Sequence(string name, bool required)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(name), out var value))
            {
                if (required)
                {
                    violations.Add(new(Join(name), "is required"));
                }

                return null;
            }

            if (value is not YamlSequenceNode sequence)
            {
                violations.Add(new(Join(name), "must be a list"));
                return null;
            }

            return sequence;
        }

        public YamlMappingNode? Mapping(string name)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(name), out var value))
            {
                return null;
            }

            if (value is not YamlMappingNode mapping)
            {
                violations.Add(new(Join(name), "must be a mapping"));
                return null;
            }

            return mapping;
        }

        private string Join(string name) => path.Length == 0 ? name : $"{path}.{name}";
    }
}
