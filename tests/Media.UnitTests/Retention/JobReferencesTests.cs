using Media.JobApi.Store;

namespace Media.UnitTests.Retention;

public sealed class JobReferencesTests
{
    [Fact]
    public void Of_FindsUploadsAndJobOutputsNamedAnywhere_NotItself_NotOtherText()
    {
        var job = new JobRecord
        {
            Id = "j_self",
            PatternName = "brand",
            SourceKey = "tenants/acme/jobs/j_parent/outputs/vertical.mp4",
            PatternDocument = "steps:\n  - logo: { image: \"blob:tenants/acme/uploads/up_logo/logo.png\" }\n  - music: { file: 'blob:tenants/acme/uploads/up_music/bed.m4a' }",
            Parameters = new Dictionary<string, string> { ["font"] = "blob:tenants/acme/uploads/up_font/brand.ttf", ["title"] = "uploads/not-a-key/ and tenants/ too" },
            Templates = new Dictionary<string, string> { ["cover"] = "{\"background\":\"blob:tenants/acme/uploads/up_bg/bg.jpg\",\"own\":\"tenants/acme/jobs/j_self/outputs/x.jpg\"}" },
        };

        Assert.Equal(["job:j_parent", "upload:up_bg", "upload:up_font", "upload:up_logo", "upload:up_music"], JobReferences.Of(job).Order(StringComparer.Ordinal));
    }
}
