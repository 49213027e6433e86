namespace Media.Pipelines.Models;

/// <summary>Where the ONNX models fetched by scripts/fetch-models.sh live.</summary>
public sealed class ModelOptions
{
    public const string Section = "Media:Models";

    /// <summary>Empty = the nearest ".models" folder above the program, else /opt/media-farm/models.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Faces scoring below this are ignored (real faces score ~0.93; cartoon look-alikes ~0.7).</summary>
    public float FaceMinScore { get; set; } = 0.75f;

    public string ResolveDirectory()
    {
        if (!string.IsNullOrWhiteSpace(Directory))
        {
            return Directory;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".models");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return "/opt/media-farm/models";
    }
}
