using System.Text.Json;

namespace Media.IntegrationTests;

/// <summary>
/// The CLI's --json as a script uses it: stdout is exactly one JSON document in the REST API's shape (people's lines go
/// to stderr), and exit codes still say how it went.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class CliJsonTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task Commands_WithJson_PrintOneParsableDocument()
    {
        var submitted = await MediaAsync(0, "submit", media.Landscape, "--wait", "--out", Path.Combine(_farm.DataDirectory, "downloads"), "--label", "via=cli");
        var id = submitted.Json.GetProperty("id").GetString()!;
        var got = await MediaAsync(0, "jobs", "get", id);
        var watched = await MediaAsync(0, "jobs", "watch", id);
        var listed = await MediaAsync(0, "jobs", "list", "--state", "succeeded");
        var farm = await MediaAsync(0, "farm", "status");
        var patterns = await MediaAsync(0, "patterns", "list");
        var bad = Path.Combine(_farm.DataDirectory, "bad.yaml");
        await File.WriteAllTextAsync(bad, "apiVersion: media.farm/v1\nname: Bad Name\noutputs: []\n");
        var invalid = await MediaAsync(2, "patterns", "validate", bad);

        Assert.Equal("JOB_STATE_SUCCEEDED", submitted.Json.GetProperty("state").GetString());
        Assert.Equal("cli", submitted.Json.GetProperty("labels").GetProperty("via").GetString());
        Assert.Contains("uploaded", submitted.Stderr, StringComparison.Ordinal);
        Assert.Contains("output: ", submitted.Stderr, StringComparison.Ordinal);
        Assert.Equal(submitted.Json.GetProperty("outputs").GetArrayLength(), got.Json.GetProperty("outputs").GetArrayLength());
        Assert.Equal("JOB_STATE_SUCCEEDED", watched.Json.GetProperty("state").GetString());
        Assert.Contains(listed.Json.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        Assert.Equal("cpu", Assert.Single(farm.Json.GetProperty("workers").EnumerateArray()).GetProperty("pool").GetString());
        Assert.Contains(patterns.Json.GetProperty("patterns").EnumerateArray(), p => p.GetProperty("name").GetString() == "reframe-vertical");
        Assert.False(invalid.Json.TryGetProperty("valid", out var valid) && valid.GetBoolean());
        Assert.Contains(invalid.Json.GetProperty("violations").EnumerateArray(), v => v.GetProperty("path").GetString() == "name");
    }

    private async Task<(JsonElement Json, string Stderr)> MediaAsync(int expectedExit, params string[] arguments)
    {
        var result = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), .. arguments, "--server", _farm.Client.Address, "--json"]);
        Assert.True(result.ExitCode == expectedExit, $"media {string.Join(' ', arguments)}: exit {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        return (JsonDocument.Parse(result.Stdout).RootElement.Clone(), result.Stderr);
    }
}
