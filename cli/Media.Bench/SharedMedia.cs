namespace Media.Bench;

/// <summary>The workplace's shared media folder (`shared/media` next to or above the current folder), when there is one.</summary>
internal static class SharedMedia
{
    public static DirectoryInfo? Folder()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = new DirectoryInfo(Path.Combine(dir.FullName, "shared", "media"));
            if (candidate.Exists)
            {
                return candidate;
            }
        }

        return null;
    }

    public static FileInfo? Find(string relativePath) =>
        Folder() is { } folder && new FileInfo(Path.Combine(folder.FullName, relativePath)) is { Exists: true } file ? file : null;
}
