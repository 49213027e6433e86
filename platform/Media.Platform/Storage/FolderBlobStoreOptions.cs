using System.ComponentModel.DataAnnotations;

namespace Media.Platform.Storage;

public sealed class FolderBlobStoreOptions
{
    public const string Section = "Media:Storage:Folder";

    /// <summary>Root folder; objects go under data/, their metadata under meta/.</summary>
    [Required]
    public string Root { get; set; } = string.Empty;
}
