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
    public async Task Rest_Contract_StrictBodiesEmptyActionsNdjsonStreamsInt64Strings()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var typo = await _http.PostAsync("/v1/jobs", Json("""{"source":{"uploadId":"UP"},"patternName":"reframe-vertical","titel":"typo"}""".Replace("UP", upload.UploadId, StringComparison.Ordinal)));
        var casing = await _http.PostAsync("/v1/jobs", Json("""{"source":{"uploadID":"x"},"patternName":"reframe-vertical"}"""));
        var badEnum = await _http.PostAsync("/v1/jobs", Json("""{"source":{"uploadId":"x"},"patternName":"reframe-vertical","priority":"URGENT"}"""));
        var notJson = await _http.PostAsync("/v1/jobs", Json("""{"source":"""));
        var jobs = await _farm.Client.Jobs.ListJobsAsync(new ListJobsRequest());

        Assert.Empty(jobs.Jobs); // nothing refused was submitted
        var violation = await ViolationAsync(typo, "titel");
        Assert.StartsWith("unknown field", violation, StringComparison.Ordinal);
        Assert.Equal("unknown field; did you mean 'uploadId'?", await ViolationAsync(casing, "source.uploadID"));
        Assert.Contains("PRIORITY_HIGH", await ViolationAsync(badEnum, "priority"), StringComparison.Ordinal);
        Assert.DoesNotContain("Media.Protos", await badEnum.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("not JSON", await ViolationAsync(notJson, "body"), StringComparison.Ordinal);

        // A job, watched over REST: one JSON object per line, declared as NDJSON; 64-bit integers as strings.
        var submitted = await _http.PostAsync("/v1/jobs", Json("""{"source":{"uploadId":"UP"},"patternName":"reframe-vertical"}""".Replace("UP", upload.UploadId, StringComparison.Ordinal)));
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _farm.Client.WaitAsync(id, null, timeout.Token);
        using var watch = await _http.GetAsync($"/v1/jobs/{id}:watch", timeout.Token);
        var lines = (await watch.Content.ReadAsStringAsync(timeout.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var job = JsonDocument.Parse(await _http.GetStringAsync($"/v1/jobs/{id}")).RootElement;

        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        Assert.Equal("application/x-ndjson", watch.Content.Headers.ContentType?.MediaType);
        Assert.True(events.Count >= 3, $"{events.Count} events");
        // int64 as strings; strictly increasing (a finished stage's heartbeats but the last are compacted, so numbers skip).
        var sequences = events.Select(e => long.Parse(e.GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), string.Join(",", sequences));
        Assert.Equal(job.GetProperty("lastSequence").GetString(), events[^1].GetProperty("sequence").GetString());
        Assert.Equal(JsonValueKind.String, job.GetProperty("lastSequence").ValueKind);
        Assert.Equal(JsonValueKind.String, job.GetProperty("outputs")[0].GetProperty("sizeBytes").ValueKind);

        // An action route needs no body: cancelling a finished job without one is refused for its state, not its body.
        var another = await _http.PostAsync("/v1/jobs", Json("""{"source":{"uploadId":"UP"},"patternName":"reframe-vertical"}""".Replace("UP", upload.UploadId, StringComparison.Ordinal)));
        var anotherId = JsonDocument.Parse(await another.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var cancelled = await _http.PostAsync($"/v1/jobs/{anotherId}:cancel", null);
        var again = await _http.PostAsync($"/v1/jobs/{id}:cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("JOB_STATE_CANCELLED", JsonDocument.Parse(await cancelled.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.DoesNotContain("content type", await again.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    // The REST error's BadRequest violation for one field: its description.
    private static async Task<string> ViolationAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var status = JsonDocument.Parse(text).RootElement;
        Assert.Equal(3, status.GetProperty("code").GetInt32());
        var details = status.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest");
        return details.GetProperty("fieldViolations").EnumerateArray().Single(v => v.GetProperty("field").GetString() == field).GetProperty("description").GetString()!;
    }

    [Fact]
    public async Task Reflection_ListsTheServices_AndServesTheErrorDetailTypes()
    {
        using var channel = GrpcChannel.ForAddress(_farm.Address);
        using var call = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.ResponseStream.MoveNext(CancellationToken.None);
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileContainingSymbol = "google.rpc.BadRequest" });
        await call.ResponseStream.MoveNext(CancellationToken.None);
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b)).ToList();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("media.v1.Jobs", services);
        Assert.Contains("grpc.health.v1.Health", services);
        var details = Assert.Single(files, f => f.Name == "google/rpc/error_details.proto");
        Assert.Contains(details.MessageType, m => m.Name == "BadRequest");
        Assert.Contains(details.MessageType, m => m.Name == "ErrorInfo");
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
        // Every transcoded route, and the output content route GetOutputLink's links point at.
        Assert.Equal(Media.JobApi.Http.OpenApiDocument.Routes().Count() + 1, operations.Count);
        Assert.Contains(("/v1/jobs/{jobId}/outputs/{name}/content", "get", "Jobs_GetOutputContent"), operations);
        var submit = paths.GetProperty("/v1/jobs").GetProperty("post");
        Assert.StartsWith("Submits one edit job", submit.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("ALREADY_EXISTS", submit.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(operations.Count >= 25, $"{operations.Count} operations");
        Assert.Contains(("/v1/jobs", "post", "Jobs_SubmitJob"), operations);
        Assert.Contains(("/v1/jobs/{job_id}", "get", "Jobs_GetJob"), operations);
        Assert.Contains(("/v1/admin/keys/{id}:revoke", "post", "Admin_RevokeApiKey"), operations);
        var jobSchema = document.GetProperty("components").GetProperty("schemas").GetProperty("Job").GetProperty("properties");
        Assert.Contains("JOB_STATE_SUCCEEDED", jobSchema.GetProperty("state").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("date-time", jobSchema.GetProperty("createdAt").GetProperty("format").GetString());
        Assert.Equal("#/components/schemas/Output", jobSchema.GetProperty("outputs").GetProperty("items").GetProperty("$ref").GetString());
        Assert.StartsWith("A submitted job", document.GetProperty("components").GetProperty("schemas").GetProperty("Job").GetProperty("description").GetString(), StringComparison.Ordinal);
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
