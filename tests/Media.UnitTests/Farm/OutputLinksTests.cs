using Media.JobApi;
using Media.JobApi.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Media.UnitTests.Farm;

public sealed class OutputLinksTests
{
    private const string Secret = "a-shared-secret-of-32-characters-or-more";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Link_IsGoodUntilItExpires_ForItsOwnOutputOnly_OnReplicasSharingTheSecret()
    {
        var links = Links(Secret);
        var expiresAt = links.ExpiresAt();
        var url = links.Create("acme", "job_1", "clip 1.mp4", expiresAt);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query);
        var token = query["token"]!;
        var expires = long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.StartsWith("/v1/jobs/job_1/outputs/clip%201.mp4/content?tenant=acme&expires=", url, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddSeconds(600), expiresAt);
        Assert.Null(links.Check("acme", "job_1", "clip 1.mp4", expires, token));
        Assert.Null(Links(Secret).Check("acme", "job_1", "clip 1.mp4", expires, token));
        Assert.Contains("does not match", links.Check("acme", "job_1", "clip 2.mp4", expires, token), StringComparison.Ordinal);
        Assert.Contains("does not match", links.Check("globex", "job_1", "clip 1.mp4", expires, token), StringComparison.Ordinal);
        Assert.Contains("does not match", links.Check("acme", "job_1", "clip 1.mp4", expires + 3600, token), StringComparison.Ordinal);
        Assert.Contains("does not match", Links(null).Check("acme", "job_1", "clip 1.mp4", expires, token), StringComparison.Ordinal);
        Assert.Contains("needs tenant, expires and token", links.Check("acme", "job_1", "clip 1.mp4", null, token), StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(601));
        Assert.Contains("expired", links.Check("acme", "job_1", "clip 1.mp4", expires, token), StringComparison.Ordinal);
    }

    private OutputLinks Links(string? secret) =>
        new(Options.Create(new JobApiOptions { OutputLinkSecret = secret, OutputLinkSeconds = 600 }), _time);
}
