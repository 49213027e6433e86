namespace Media.Vision.Tests;

/// <summary>Finds the fetched BlazeFace model from the test binaries, wherever the repo is checked out.</summary>
internal static class TestModel
{
    public const string RelativePath = ".models/blazeface/face_detection_front_128x128.onnx";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Media.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Media.sln above '{AppContext.BaseDirectory}': cannot locate the repo root.");
    }

    /// <summary>The model path; a missing model is a failure, not a skip, so CI cannot pass without exercising it.</summary>
    public static string PathOrFail()
    {
        var path = Path.Combine(RepoRoot(), RelativePath);
        if (!File.Exists(path))
        {
            Assert.Fail($"BlazeFace model missing at '{path}'. Run scripts/fetch-models.sh first.");
        }

        return path;
    }
}
