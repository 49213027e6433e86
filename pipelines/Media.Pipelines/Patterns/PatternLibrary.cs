using System.Reflection;

namespace Media.Pipelines.Patterns;

/// <summary>The built-in patterns (pipelines/patterns/*.yaml, embedded in this assembly), parsed once.</summary>
public sealed class PatternLibrary
{
    private readonly Dictionary<string, Pattern> _patterns;

    public PatternLibrary()
    {
        _patterns = new Dictionary<string, Pattern>(StringComparer.Ordinal);
        var assembly = typeof(PatternLibrary).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("patterns/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var result = PatternParser.Parse(reader.ReadToEnd());
            if (!result.IsValid)
            {
                // A broken built-in is a build defect: fail loudly at start, not on the first job.
                throw new InvalidOperationException($"Built-in pattern {resource} is invalid: {string.Join("; ", result.Violations)}");
            }

            _patterns.Add(result.Pattern!.Name, result.Pattern);
        }
    }

    public IReadOnlyCollection<Pattern> All => _patterns.Values;

    public Pattern? Find(string name) => _patterns.GetValueOrDefault(name);
}
