namespace Media.IntegrationTests;

/// <summary>Where the checkout is (found from the test binaries upwards), for tools setup.sh installs under it.</summary>
public static class RepositoryPaths
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Media.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Media.sln not found above " + AppContext.BaseDirectory);
    }
}
