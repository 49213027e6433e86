namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>Built-in templates (pipelines/thumbnails/*.yaml, embedded in this assembly).</summary>
public static class ThumbnailTemplateLibrary
{
    private static readonly Lazy<IReadOnlyDictionary<string, ThumbnailTemplate>> BuiltIns = new(Load);

    public static IReadOnlyCollection<ThumbnailTemplate> All => BuiltIns.Value.Values.ToList();

    public static ThumbnailTemplate? Find(string name) => BuiltIns.Value.GetValueOrDefault(name);

    private static Dictionary<string, ThumbnailTemplate> Load()
    {
        var assembly = typeof(ThumbnailTemplateLibrary).Assembly;
        var result = new Dictionary<string, ThumbnailTemplate>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("thumbnails/", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var (template, violations) = ThumbnailTemplateParser.Parse(reader.ReadToEnd());
            if (template is null)
            {
                throw new InvalidOperationException($"Built-in thumbnail template {resource} is invalid: {string.Join("; ", violations)}");
            }

            result.Add(template.Name, template);
        }

        return result;
    }
}
