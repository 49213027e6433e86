using System.Text.Json;

namespace Media.IntegrationTests;

/// <summary>
/// The contract as clients nobody here wrote see it: an independent OpenAPI linter (Redocly's recommended rules) on
/// /openapi.json, a TypeScript client generated from that document (openapi-typescript, openapi-fetch, checked by tsc)
/// and @grpc/grpc-js on the protos, each running upload or submit, watch, list, download and cancel against a farm.
/// The tools are pinned and installed by scripts/setup.sh under .tools/clients.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ClientContractTests(TestMedia media) : IAsyncLifetime
{
    private static readonly string Root = RepositoryPaths.Root();
    private static readonly string Modules = Path.Combine(Root, ".tools", "clients", "node_modules");
    private readonly InProcessFarm _farm = new();
    private readonly string _work = Directory.CreateTempSubdirectory("clients-").FullName;

    public Task InitializeAsync() => _farm.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task OpenApi_PassesAnIndependentLintersRecommendedRules_AndTheLinterBites()
    {
        var spec = await FetchSpecAsync();

        var clean = await LintAsync(spec);

        Assert.True(clean.Errors == 0, $"redocly lint --extends=recommended: {clean.Errors} errors\n{clean.Output}");

        // The recommended rules' warnings are one: no license in info (the project has not chosen one).
        Assert.True(clean.Warnings <= 1, $"{clean.Warnings} warnings\n{clean.Output}");

        // The same document with one operation's summary and responses removed is refused: the linter really runs.
        var broken = Path.Combine(_work, "broken.json");
        var text = await File.ReadAllTextAsync(spec);
        var patched = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        var operation = patched["paths"]!["/v1/jobs/{job_id}"]!["get"]!;
        operation.AsObject().Remove("summary");
        operation["responses"]!.AsObject().Remove("4XX");
        operation["responses"]!.AsObject().Remove("200");
        await File.WriteAllTextAsync(broken, patched.ToJsonString());

        var refused = await LintAsync(broken);
        Assert.True(refused.Errors > 0, refused.Output);
        Assert.Contains("\"operation-summary\"", refused.Output, StringComparison.Ordinal);
        Assert.Contains("\"operation-2xx-response\"", refused.Output, StringComparison.Ordinal);
        Assert.Contains("\"operation-4xx-response\"", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeneratedTypeScriptClient_SubmitsWatchesListsDownloadsAndCancels()
    {
        var spec = await FetchSpecAsync();
        var upload = await _farm.Client.UploadFileAsync(media.Silent, null, CancellationToken.None);
        File.Copy(Path.Combine(Root, "tests", "clients", "rest-client.ts"), Path.Combine(_work, "rest-client.ts"));
        File.Copy(Path.Combine(Root, "tests", "clients", "tsconfig.json"), Path.Combine(_work, "tsconfig.json"));
        Directory.CreateSymbolicLink(Path.Combine(_work, "node_modules"), Modules);

        var generated = await NodeAsync(Bin("openapi-typescript"), spec, "--output", Path.Combine(_work, "schema.d.ts"));
        Assert.True(generated.ExitCode == 0, generated.Stdout + generated.Stderr);
        // tsc checks every path, parameter and body of the client against the generated schema.
        var compiled = await NodeAsync(Bin("tsc"), "-p", Path.Combine(_work, "tsconfig.json"));
        Assert.True(compiled.ExitCode == 0, compiled.Stdout + compiled.Stderr);
        var run = await NodeAsync(Path.Combine(_work, "rest-client.js"), _farm.HttpAddress, upload.UploadId, "reframe-vertical");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);

        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("JOB_STATE_SUCCEEDED", summary.GetProperty("state").GetString());
        Assert.Equal("JOB_STATE_SUCCEEDED", summary.GetProperty("terminal").GetString());
        Assert.StartsWith("application/x-ndjson", summary.GetProperty("watchContentType").GetString(), StringComparison.Ordinal);
        Assert.Equal(summary.GetProperty("lastSequence").GetString(), summary.GetProperty("lastEvent").GetString());
        Assert.Equal(summary.GetProperty("jobId").GetString(), Assert.Single(summary.GetProperty("listed").EnumerateArray()).GetString());
        AssertOutputsMatch(summary);
        Assert.Equal("JOB_STATE_CANCELLED", summary.GetProperty("cancelled").GetString());
        var missing = summary.GetProperty("missing");
        Assert.Equal((404, 5), (missing.GetProperty("status").GetInt32(), missing.GetProperty("code").GetInt32()));
        Assert.Contains("job_nope", missing.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcJsClient_UploadsSubmitsWatchesListsDownloadsAndCancels()
    {
        var script = Path.Combine(_work, "grpc-client.js");
        File.Copy(Path.Combine(Root, "tests", "clients", "grpc-client.js"), script);
        Directory.CreateSymbolicLink(Path.Combine(_work, "node_modules"), Modules);
        var address = new Uri(_farm.Address).Authority;

        var run = await NodeAsync(script, address, Path.Combine(Root, "protos"), Path.Combine(Root, ".tools", "googleapis"), media.Silent, "reframe-vertical");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.StartsWith("up_", summary.GetProperty("uploadId").GetString(), StringComparison.Ordinal);
        Assert.Equal("JOB_STATE_SUCCEEDED", summary.GetProperty("state").GetString());
        Assert.Equal("JOB_STATE_SUCCEEDED", summary.GetProperty("terminal").GetString());
        var sequences = summary.GetProperty("sequences").EnumerateArray().Select(s => long.Parse(s.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), string.Join(",", sequences));
        Assert.Equal(summary.GetProperty("lastSequence").GetString(), sequences[^1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(summary.GetProperty("jobId").GetString(), Assert.Single(summary.GetProperty("listed").EnumerateArray()).GetString());
        AssertOutputsMatch(summary);
        Assert.Equal("JOB_STATE_CANCELLED", summary.GetProperty("cancelled").GetString());
        Assert.Equal(5, summary.GetProperty("missing").GetProperty("code").GetInt32());
    }

    private static void AssertOutputsMatch(JsonElement summary)
    {
        var outputs = summary.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Contains(outputs, o => o.GetProperty("name").GetString() == "vertical.mp4" && o.GetProperty("bytes").GetInt64() > 1000);
        Assert.All(outputs, o => Assert.True(o.GetProperty("matches").GetBoolean(), $"{o.GetProperty("name")}: the downloaded bytes' SHA-256 differs from the job's"));
    }

    private async Task<string> FetchSpecAsync()
    {
        using var http = new HttpClient();
        var path = Path.Combine(_work, "openapi.json");
        await File.WriteAllTextAsync(path, await http.GetStringAsync(new Uri(new Uri(_farm.HttpAddress), "/openapi.json")));
        return path;
    }

    private async Task<(int Errors, int Warnings, string Output)> LintAsync(string spec)
    {
        var result = await NodeAsync(Bin("redocly"), "lint", spec, "--extends=recommended", "--format=json");
        using var report = JsonDocument.Parse(result.Stdout);
        var totals = report.RootElement.GetProperty("totals");
        return (totals.GetProperty("errors").GetInt32(), totals.GetProperty("warnings").GetInt32(), result.Stdout + result.Stderr);
    }

    private static string Bin(string name)
    {
        var path = Path.Combine(Modules, ".bin", name);
        Assert.True(File.Exists(path), $"{name} is not installed at {path}; run scripts/setup.sh.");
        return path;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> NodeAsync(string script, params string[] arguments) =>
        TestMedia.RunAsync("env", ["REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "node", script, .. arguments]);
}
