using Media.Pipelines.Patterns;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Media.Pipelines.Yaml;

/// <summary>Loads one YAML/JSON document whose top level must be a mapping; problems become violations at "$".</summary>
internal static class YamlLoader
{
    public static YamlMappingNode? LoadMapping(string document, int maxLength, List<PatternViolation> violations)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            violations.Add(new("$", "the document is empty"));
            return null;
        }

        if (document.Length > maxLength)
        {
            violations.Add(new("$", $"the document is {document.Length} characters; the limit is {maxLength}"));
            return null;
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(document));
            if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping)
            {
                return mapping;
            }

            violations.Add(new("$", "must be one mapping (an object) at the top level"));
        }
        catch (YamlException ex)
        {
            violations.Add(new("$", $"not valid YAML/JSON at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}"));
        }

        return null;
    }
}
