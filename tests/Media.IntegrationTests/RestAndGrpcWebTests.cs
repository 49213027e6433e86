using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>The same services over HTTP/1.1: REST/JSON (gRPC JSON transcoding), gRPC-Web, and their OpenAPI description.</summary>
[Collection(MediaCollection.Name)]
public sealed class RestAndGrpcWebTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _farm.InitializeAsync();
        _http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task Rest_SubmitGetListAndErrors_AsJson()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);

        var submitted = await _http.PostAsJsonAsync("/v1/jobs", new { source = new { uploadId = upload.UploadId }, patternName = "reframe-vertical", labels = new { via = "rest" } });
        var job = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        var id = job.GetProperty("id").GetString()!;
        var fetched = JsonDocument.Parse(await _http.GetStringAsync($"/v1/jobs/{id}")).RootElement;
        var listed = JsonDocument.Parse(await _http.GetStringAsync("/v1/jobs?pageSize=5")).RootElement;
        var missing = await _http.GetAsync("/v1/jobs/job_nope");
        var invalid = await _http.PostAsJsonAsync("/v1/jobs", new { source = new { uploadId = upload.UploadId }, patternName = "no-such-pattern" });
        var patterns = JsonDocument.Parse(await _http.GetStringAsync("/v1/patterns")).RootElement;
        var byLabel = JsonDocument.Parse(await _http.GetStringAsync("/v1/jobs?label=via%3Drest")).RootElement;
        var byOtherLabel = JsonDocument.Parse(await _http.GetStringAsync("/v1/jobs?label=via%3Dgrpc")).RootElement;
        var badLabel = await _http.GetAsync("/v1/jobs?label=no-equals-sign");

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.StartsWith("job_", id, StringComparison.Ordinal);
        Assert.Equal("JOB_STATE_QUEUED", job.GetProperty("state").GetString());
        Assert.Equal(id, fetched.GetProperty("id").GetString());
        Assert.Equal("rest", fetched.GetProperty("labels").GetProperty("via").GetString());
        Assert.Contains(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("job_nope", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("pattern_name", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(patterns.GetProperty("patterns").EnumerateArray(), p => p.GetProperty("name").GetString() == "reframe-vertical");
        Assert.Equal(id, Assert.Single(byLabel.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString());
        Assert.False(byOtherLabel.TryGetProperty("jobs", out var none) && none.GetArrayLength() > 0);
        Assert.Equal(HttpStatusCode.BadRequest, badLabel.StatusCode);
        Assert.Contains("label", await badLabel.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(JobState.Succeeded, (await _farm.Client.WaitAsync(id, null, timeout.Token)).State);
    }

    [Fact]
    public async Task GrpcWeb_OverHttp11_CallsTheSameServices()
    {
        using var channel = GrpcChannel.ForAddress(_farm.HttpAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var patterns = new Patterns.PatternsClient(channel);

        var listed = await patterns.ListPatternsAsync(new ListPatternsRequest());
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await new Jobs.JobsClient(channel).GetJobAsync(new GetJobRequest { JobId = "job_nope" }));

        Assert.Contains(listed.Patterns, p => p.Name == "reframe-vertical");
        Assert.Equal(Grpc.Core.StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task OpenApi_DescribesEveryRestRouteWithItsSchemas()
    {
        var document = JsonDocument.Parse(await _http.GetStringAsync("/openapi.json")).RootElement;
        var paths = document.GetProperty("paths");
        var operations = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Verb: o.Name, Id: o.Value.GetProperty("operationId").GetString()))).ToList();

        Assert.Equal("3.0.3", document.GetProperty("openapi").GetString());
        Assert.Equal(Media.JobApi.Http.OpenApiDocument.Routes().Count(), operations.Count);
        Assert.True(operations.Count >= 25, $"{operations.Count} operations");
        Assert.Contains(("/v1/jobs", "post", "Jobs_SubmitJob"), operations);
        Assert.Contains(("/v1/jobs/{job_id}", "get", "Jobs_GetJob"), operations);
        Assert.Contains(("/v1/admin/keys/{id}:revoke", "post", "Admin_RevokeApiKey"), operations);
        var jobSchema = document.GetProperty("components").GetProperty("schemas").GetProperty("Job").GetProperty("properties");
        Assert.Contains("JOB_STATE_SUCCEEDED", jobSchema.GetProperty("state").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("date-time", jobSchema.GetProperty("createdAt").GetProperty("format").GetString());
        Assert.Equal("#/components/schemas/Output", jobSchema.GetProperty("outputs").GetProperty("items").GetProperty("$ref").GetString());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var reference in JsonRefs(document))
        {
            Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), $"dangling {reference}");
        }
    }

    private static IEnumerable<string> JsonRefs(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => p.Name == "$ref" ? [p.Value.GetString()!] : JsonRefs(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(JsonRefs),
        _ => [],
    };
}
