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

    /// <summary>The `--clip` every render benchmark takes: a real clip, by default the shared talking head.</summary>
    public static System.CommandLine.Option<FileInfo?> ClipOption(string description) => new("--clip") { Description = description };

    /// <summary>The clip given, else the shared talking head; a usage error when there is neither.</summary>
    public static FileInfo ClipOrDefault(FileInfo? given)
    {
        var clip = given ?? Find("talking_head/obama_wh_weekly_address_a.mp4")
            ?? throw new Media.Cli.Commands.UsageException("No clip: pass --clip PATH (the shared media folder was not found).");
        return clip.Exists ? clip : throw new Media.Cli.Commands.UsageException($"The clip '{clip.FullName}' does not exist.");
    }
}
