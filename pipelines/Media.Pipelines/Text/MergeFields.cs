using System.Text.RegularExpressions;

namespace Media.Pipelines.Text;

/// <summary>
/// Fills {{name}} placeholders from job parameters. Values are inserted as plain text: the result is
/// never re-scanned, so a value that itself contains "{{...}}" stays literal.
/// </summary>
public static partial class MergeFields
{
    public static string Render(string template, IReadOnlyDictionary<string, string> parameters) =>
        Placeholder().Replace(template, m => parameters.TryGetValue(m.Groups[1].Value, out var value) ? value : string.Empty);

    public static IReadOnlyList<string> Names(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}")]
    private static partial Regex Placeholder();
}
