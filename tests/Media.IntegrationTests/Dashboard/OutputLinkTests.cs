using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Media.Protos.V1;

namespace Media.IntegrationTests.Dashboard;

/// <summary>Output links (Jobs.GetOutputLink): what a browser fetches previews with, on the folder store.</summary>
[Collection(MediaCollection.Name)]
public sealed class OutputLinkTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task Link_ServesTheOutputWithRanges_AndRefusesAlteredOrForeignUse()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var job = await _farm.Client.SubmitAndWaitAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" }, null, timeout.Token);
        var video = job.Outputs.First(o => o.Kind == OutputKind.Video);
        using var http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };

        // Over REST, as the dashboard asks for it.
        var link = JsonDocument.Parse(await http.GetStringAsync($"/v1/jobs/{job.Id}/outputs/{video.Name}:link")).RootElement;
        var url = link.GetProperty("url").GetString()!;
        var whole = await http.GetAsync(url);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        using var range = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(100, 1123) } };
        var part = await http.SendAsync(range);
        var partBytes = await part.Content.ReadAsByteArrayAsync();
        var tampered = await http.GetAsync(url[..^2] + (url[^2..] == "AA" ? "BB" : "AA"));
        var otherOutput = await http.GetAsync(url.Replace(Uri.EscapeDataString(video.Name) + "/content", "vertical.thumbnail.jpg/content", StringComparison.Ordinal));
        var otherTenant = await http.GetAsync(url.Replace("tenant=default", "tenant=acme", StringComparison.Ordinal));
        var noToken = await http.GetAsync($"/v1/jobs/{job.Id}/outputs/{video.Name}/content");
        var unknown = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await _farm.Client.Jobs.GetOutputLinkAsync(new GetOutputLinkRequest { JobId = job.Id, Name = "nope.mp4" }));

        Assert.StartsWith($"/v1/jobs/{job.Id}/outputs/", url, StringComparison.Ordinal);
        Assert.Equal(video.ContentType, link.GetProperty("contentType").GetString());
        Assert.True(DateTimeOffset.Parse(link.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(50));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(video.ContentType, whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(video.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(bytes[100..1124], partBytes);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherOutput.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Contains("Jobs.GetOutputLink", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, unknown.StatusCode);
    }
}
