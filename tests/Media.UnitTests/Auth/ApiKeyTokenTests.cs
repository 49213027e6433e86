using Media.JobApi.Auth;
using Media.Platform.Storage;

namespace Media.UnitTests.Auth;

public sealed class ApiKeyTokenTests
{
    [Fact]
    public void Create_TokenParsesBackToItsIdAndSecret_WhichMatchesOnlyItsHash()
    {
        var (id, token, hash) = ApiKeyToken.Create();
        var (_, otherToken, otherHash) = ApiKeyToken.Create();

        Assert.True(ApiKeyToken.TryParse(token, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.True(ApiKeyToken.IsId(id));
        Assert.True(ApiKeyToken.Matches(secret, hash));
        Assert.False(ApiKeyToken.Matches(secret, otherHash));
        Assert.NotEqual(token, otherToken);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
        Assert.Equal(64, hash.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("mf_k_0123456789abcdef01234567")]
    [InlineData("mf_k_0123456789ABCDEF01234567_secret")]
    [InlineData("mf_k_0123456789abcdef0123456_xsecret")]
    [InlineData("xx_k_0123456789abcdef01234567_secret")]
    public void TryParse_Malformed_IsRefused(string token) => Assert.False(ApiKeyToken.TryParse(token, out _, out _));

    [Theory]
    [InlineData("acme", true)]
    [InlineData("a", true)]
    [InlineData("acme-prod-2", true)]
    [InlineData("", false)]
    [InlineData("-acme", false)]
    [InlineData("Acme", false)]
    [InlineData("acme\n", false)]
    [InlineData("../acme", false)]
    [InlineData("acme/x", false)]
    public void TenantNames_OnlyASafeAlphabet(string name, bool valid) => Assert.Equal(valid, TenantNames.IsValid(name));

    [Theory]
    [InlineData("acme", "tenants/acme/uploads/up_1/a.mp4", true)]
    [InlineData("acme", "tenants/acme-2/uploads/up_1/a.mp4", false)]
    [InlineData("acme", "tenants/globex/jobs/j/outputs/v.mp4", false)]
    [InlineData("acme", "uploads/up_1/a.mp4", false)]
    [InlineData("default", "uploads/up_1/a.mp4", true)]
    [InlineData("", "uploads/up_1/a.mp4", true)]
    [InlineData("default", "tenants/default/uploads/up_1/a.mp4", true)]
    [InlineData("default", "tenants/acme/uploads/up_1/a.mp4", false)]
    [InlineData("", "tenants/acme/uploads/up_1/a.mp4", false)]
    public void TenantKeys_Owns_OnlyItsOwnPrefix(string tenant, string key, bool owns) => Assert.Equal(owns, TenantKeys.Owns(tenant, key));
}
