using System.Net;
using Google.Rpc;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Media.Protos.V1;
using Media.Tests.Shared;

namespace Media.IntegrationTests;

/// <summary>
/// The front door fuzzed with generated requests, over gRPC and REST: SubmitJob and PutPattern with mutated built-in
/// patterns, odd parameters, labels and keys, and random JSON bodies. Property: never Internal or Unknown (never a 5xx),
/// and every InvalidArgument names its fields (google.rpc.BadRequest). No job runs: the uploads named do not exist.
/// A fixed seed in CI; MEDIA_FUZZ_SEED and MEDIA_FUZZ_API_CASES run it longer on demand.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ApiFuzzTests : IAsyncLifetime
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_SEED"), out var seed) ? seed : 20261205;
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_API_CASES"), out var cases) ? cases : 150;

    private readonly InProcessFarm _farm = new();
    private HttpClient _http = null!;
    private List<string> _patterns = null!;

    public async Task InitializeAsync()
    {
        await _farm.InitializeAsync();
        _http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };
        var assembly = typeof(Media.Pipelines.Patterns.PatternParser).Assembly;
        _patterns = [.. assembly.GetManifestResourceNames().Where(n => n.StartsWith("patterns/", StringComparison.Ordinal)).Select(n =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
            return reader.ReadToEnd();
        })];
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task Grpc_GeneratedSubmissionsAndPatterns_RefusedByFieldNeverInternal()
    {
        var random = new Random(Seed);
        var codes = new Dictionary<StatusCode, int>();
        for (var i = 0; i < Cases; i++)
        {
            var pattern = random.Next(3) == 0 ? new PutPatternRequest { Document = Pattern(random) } : null;
            var submission = pattern is null ? Submission(random) : null;
            var code = StatusCode.OK;
            try
            {
                if (pattern is not null)
                {
                    await _farm.Client.Patterns.PutPatternAsync(pattern);
                }
                else
                {
                    await _farm.Client.Jobs.SubmitJobAsync(submission);
                }
            }
            catch (RpcException ex)
            {
                code = ex.StatusCode;
                Assert.False(code is StatusCode.Internal or StatusCode.Unknown, $"case {i} (seed {Seed}): {ex.Status}");
                if (code == StatusCode.InvalidArgument)
                {
                    var details = ex.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
                    Assert.True(details is { FieldViolations.Count: > 0 } && details.FieldViolations.All(v => v.Field.Length > 0), $"case {i} (seed {Seed}): InvalidArgument without named fields: {ex.Status.Detail}");
                }
            }

            codes[code] = codes.GetValueOrDefault(code) + 1;
        }

        // The generator reaches past the first check: refusals of several kinds (a bad document, an unknown upload).
        Assert.True(codes.GetValueOrDefault(StatusCode.InvalidArgument) > 0 && codes.Count >= 2, string.Join(", ", codes));
    }

    [Fact]
    public async Task Rest_GeneratedBodies_RefusedByFieldNeverA5xx()
    {
        var random = new Random(Seed + 1);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < Cases; i++)
        {
            var (method, path, body) = random.Next(4) switch
            {
                0 => (HttpMethod.Put, "/v1/patterns", JsonSerializer.Serialize(new { document = Pattern(random) })),
                1 => (HttpMethod.Post, "/v1/jobs", FuzzInputs.RandomTree(random)),
                _ => (HttpMethod.Post, "/v1/jobs", SubmissionJson(random)),
            };
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;

            Assert.True((int)response.StatusCode < 500, $"case {i} (seed {Seed + 1}): {(int)response.StatusCode} {text}\n{body}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var status = JsonDocument.Parse(text).RootElement;
                if (status.GetProperty("code").GetInt32() == (int)StatusCode.InvalidArgument)
                {
                    var violations = status.GetProperty("details").EnumerateArray()
                        .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest")
                        .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray()).ToList();
                    Assert.True(violations.Count > 0 && violations.All(v => v.GetProperty("field").GetString()!.Length > 0), $"case {i} (seed {Seed + 1}): 400 without named fields: {text}\n{body}");
                }
            }
        }

        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > Cases / 2, string.Join(", ", statuses));
    }

    private string Pattern(Random random) => random.Next(5) == 0 ? FuzzInputs.RandomTree(random) : FuzzInputs.Mutate(_patterns[random.Next(_patterns.Count)], random);

    private static string Odd(Random random) => FuzzInputs.Odd[random.Next(FuzzInputs.Odd.Length)];

    private SubmitJobRequest Submission(Random random)
    {
        var request = new SubmitJobRequest
        {
            Source = random.Next(4) switch
            {
                0 => null,
                1 => new Source { Uri = "blob:" + Odd(random) },
                _ => new Source { UploadId = random.Next(2) == 0 ? "up_" + random.Next() : Odd(random) },
            },
            IdempotencyKey = random.Next(3) == 0 ? Odd(random) : string.Empty,
            WebhookUrl = random.Next(4) == 0 ? Odd(random) : string.Empty,
            Priority = (Priority)random.Next(-1, 6),
        };
        if (random.Next(2) == 0)
        {
            request.PatternName = random.Next(2) == 0 ? "reframe-vertical" : Odd(random);
        }
        else
        {
            request.InlinePattern = Pattern(random);
        }

        for (var n = random.Next(4); n > 0; n--)
        {
            request.Parameters[FuzzInputs.RandomKey(random)] = Odd(random);
            request.Labels[FuzzInputs.RandomKey(random)] = Odd(random);
        }

        if (random.Next(4) == 0)
        {
            request.Outputs.Add(Odd(random));
        }

        return request;
    }

    // A submission as a REST client writes it, sometimes with a field of the wrong type or a name that does not exist.
    private string SubmissionJson(Random random)
    {
        var body = JsonSerializer.SerializeToNode(new
        {
            source = new { uploadId = "up_" + random.Next() },
            inlinePattern = Pattern(random),
            parameters = new Dictionary<string, string> { [FuzzInputs.RandomKey(random)] = Odd(random) },
            priority = new[] { "PRIORITY_HIGH", "URGENT", "2", "" }[random.Next(4)],
        })!.AsObject();
        switch (random.Next(5))
        {
            case 0: body["titel"] = Odd(random); break;
            case 1: body["parameters"] = random.Next(100); break;
            case 2: body["labels"] = new System.Text.Json.Nodes.JsonArray(1, 2); break;
            case 3: body["publishAt"] = Odd(random); break;
        }

        return body.ToJsonString();
    }
}
