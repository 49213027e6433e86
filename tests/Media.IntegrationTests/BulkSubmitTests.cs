using System.Text.Json;

namespace Media.IntegrationTests;

/// <summary>`media bulk` as a real process against a farm: a CSV manifest with fields and labels, run twice (idempotent), and a folder.</summary>
[Collection(MediaCollection.Name)]
public sealed class BulkSubmitTests : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bulk-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await TestMedia.MakeClipAsync(Path.Combine(_folder, "a.mp4"), 1);
        await TestMedia.MakeClipAsync(Path.Combine(_folder, "b.mp4"), 1.2);
        await File.WriteAllTextAsync(Path.Combine(_folder, "manifest.csv"), "file,title,label:campaign\r\na.mp4,\"Hello, \"\"world\"\"\",winter\r\nb.mp4,Second,winter\r\n");
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Manifest_SubmitsEveryRowWithItsFields_AgainAddsNothing_FolderTakesTheVideos()
    {
        var first = await BulkAsync(Path.Combine(_folder, "manifest.csv"), "--json");
        var again = await BulkAsync(Path.Combine(_folder, "manifest.csv"), "--json", "--no-wait");
        var folder = await BulkAsync(_folder, "--json", "--no-wait", "--batch", "folder-run");

        Assert.Equal(2, first.GetProperty("totals").GetProperty("succeeded").GetInt32());
        var jobs = first.GetProperty("jobs").EnumerateArray().ToList();
        var hello = jobs.Single(j => j.GetProperty("file").GetString() == "a.mp4").GetProperty("job");
        Assert.Equal("Hello, \"world\"", hello.GetProperty("parameters").GetProperty("title").GetString());
        Assert.Equal(("winter", "manifest"), (hello.GetProperty("labels").GetProperty("campaign").GetString(), hello.GetProperty("labels").GetProperty("batch").GetString()));
        Assert.Equal(IdsOf(first), IdsOf(again));
        Assert.Equal(2, IdsOf(folder).Count);
        Assert.Empty(IdsOf(folder).Intersect(IdsOf(first)));

        var listed = await _farm.Client.Jobs.ListJobsAsync(new Media.Protos.V1.ListJobsRequest { PageSize = 50 });
        Assert.Equal(4, listed.Jobs.Count);
    }

    [Fact]
    public async Task BadManifest_IsAUsageErrorNamingTheLine()
    {
        var manifest = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(manifest, "file,title\na.mp4,ok\nmissing.mp4,x\n");

        var result = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), "bulk", manifest, "--server", _farm.Client.Address]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("line 3", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("missing.mp4", result.Stderr, StringComparison.Ordinal);
    }

    private static List<string> IdsOf(JsonElement run) =>
        run.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();

    private async Task<JsonElement> BulkAsync(string source, params string[] options)
    {
        var result = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), "bulk", source, "--server", _farm.Client.Address, .. options]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }
}
