using System.Globalization;
using Media.Pipelines.Patterns;
using YamlDotNet.RepresentationModel;

namespace Media.Pipelines.Yaml;

/// <summary>Typed, path-reporting access to a mapping's fields.</summary>
internal sealed class YamlFields(YamlMappingNode node, string path, List<PatternViolation> violations)
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

    public bool? Bool(string name)
    {
        var text = String(name, required: false);
        switch (text)
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                violations.Add(new(Join(name), "must be true or false"));
                return null;
        }
    }

    /// <summary>Whether the field is given as a list (fields that take a flag or a list).</summary>
    public bool IsSequence(string name) => node.Children.TryGetValue(new YamlScalarNode(name), out var value) && value is YamlSequenceNode;

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

    public string PathOf(string name) => Join(name);

    /// <summary>The fields of a nested mapping, with paths under <paramref name="name"/>; null when absent or not a mapping.</summary>
    public YamlFields? Child(string name) => Mapping(name) is { } child ? new YamlFields(child, Join(name), violations) : null;

    // A key that would not read as a name (blank, with spaces, dots or control characters: typed by accident or by a
    // fuzzer) is quoted, so the path still points at it.
    private string Join(string name)
    {
        var shown = name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-') ? name : System.Text.Json.JsonSerializer.Serialize(name);
        return path.Length == 0 ? shown : $"{path}.{shown}";
    }
}
