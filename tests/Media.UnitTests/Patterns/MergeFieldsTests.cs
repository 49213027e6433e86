using Media.Pipelines.Text;

namespace Media.UnitTests.Patterns;

public sealed class MergeFieldsTests
{
    [Fact]
    public void Render_KnownAndUnknownFields_FillsKnownBlanksUnknown()
    {
        var result = MergeFields.Render("{{title}} - {{ cta }} {{missing}}!", new Dictionary<string, string> { ["title"] = "Hi", ["cta"] = "Follow" });

        Assert.Equal("Hi - Follow !", result);
    }

    [Fact]
    public void Render_ValueContainingPlaceholder_IsNotExpandedAgain()
    {
        var result = MergeFields.Render("{{a}}", new Dictionary<string, string> { ["a"] = "{{b}}", ["b"] = "nope" });

        Assert.Equal("{{b}}", result);
    }

    [Fact]
    public void Names_ListsDistinctPlaceholders()
    {
        Assert.Equal(["title", "brand.color"], MergeFields.Names("{{title}} {{brand.color}} {{title}}"));
    }
}
