using Media.Pipelines.Thumbnails.Templates;
using Media.Protos.V1;

namespace Media.JobApi.Services;

internal static class TemplateInfos
{
    public static TemplateInfo From(ThumbnailTemplate template, string document, bool builtIn) => new()
    {
        Name = template.Name,
        Width = template.Width,
        Height = template.Height,
        Format = template.Format.ToString().ToLowerInvariant(),
        Document = document,
        BuiltIn = builtIn,
    };
}
