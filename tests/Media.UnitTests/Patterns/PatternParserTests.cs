using Media.Pipelines.Patterns;

namespace Media.UnitTests.Patterns;

public sealed class PatternParserTests
{
    private const string Valid = """
        apiVersion: media.farm/v1
        kind: Pattern
        name: my-vertical
        description: test
        outputs:
          - name: vertical
            preset: tiktok
          - name: square
            preset: reels
            width: 1080
            height: 1080
        steps:
          - reframe: { mode: blur-fill }
        thumbnail:
          frames: 2
          templates:
            - youtube-bold
            - name: my-cover
              canvas: { width: 1080, height: 1350 }
              format: png
              title: { text: "{{title}} now", color: "#FF0000" }
        """;

    [Fact]
    public void Parse_ValidYaml_ReturnsPattern()
    {
        var result = PatternParser.Parse(Valid);

        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        var pattern = result.Pattern!;
        Assert.Equal("my-vertical", pattern.Name);
        Assert.Equal(ReframeMode.BlurFill, pattern.Reframe);
        Assert.Equal(2, pattern.Outputs.Count);
        Assert.Equal((1080, 1920), (pattern.Outputs[0].Width, pattern.Outputs[0].Height));
        Assert.Equal((1080, 1080), (pattern.Outputs[1].Width, pattern.Outputs[1].Height));
        Assert.Equal(2, pattern.Thumbnail!.Frames);
        Assert.Equal(["youtube-bold", "my-cover"], pattern.Thumbnail.Templates.Select(t => t.Name));
        Assert.Equal((1080, 1350), (pattern.Thumbnail.Templates[1].Width, pattern.Thumbnail.Templates[1].Height));
        Assert.Equal("{{title}} now", pattern.Thumbnail.Templates[1].Title.Text);
    }

    [Fact]
    public void Parse_Json_IsAcceptedToo()
    {
        var result = PatternParser.Parse("""{"apiVersion":"media.farm/v1","name":"j","outputs":[{"name":"o","preset":"youtube"}]}""");

        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        Assert.Equal(1920, result.Pattern!.Outputs[0].Width);
        Assert.Null(result.Pattern.Thumbnail);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEachWithItsPath()
    {
        var result = PatternParser.Parse("""
            apiVersion: media.farm/v9
            name: Bad Name
            colour: red
            outputs:
              - name: a
                preset: myspace
                width: 1081
              - name: a
                preset: tiktok
            steps:
              - reframe: { mode: sideways }
              - zoom: 3
            thumbnail:
              frames: 9
              templates: [nope, { name: t, canvas: { width: 10 } }]
            """);

        Assert.False(result.IsValid);
        var paths = result.Violations.Select(v => v.Path).ToHashSet();
        Assert.Contains("apiVersion", paths);
        Assert.Contains("name", paths);
        Assert.Contains("colour", paths);
        Assert.Contains("outputs[0].preset", paths);
        Assert.Contains("outputs[0].width", paths);
        Assert.Contains("outputs[1].name", paths);
        Assert.Contains("steps[0].reframe.mode", paths);
        Assert.Contains("steps[1]", paths);
        Assert.Contains("thumbnail.frames", paths);
        Assert.Contains("thumbnail.templates[0]", paths);
        Assert.Contains("thumbnail.templates[1].canvas.width", paths);
        Assert.Contains("thumbnail.templates[1].canvas.height", paths);
        Assert.Contains(result.Violations, v => v.Path == "outputs[0].preset" && v.Reason.Contains("myspace", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("- just\n- a list", "$")]
    [InlineData("name: [unclosed", "$")]
    [InlineData("apiVersion: media.farm/v1\nname: x", "outputs")]
    public void Parse_BrokenDocument_ReportsWhereWithoutThrowing(string document, string expectedPath)
    {
        var result = PatternParser.Parse(document);

        Assert.False(result.IsValid);
        Assert.Contains(result.Violations, v => v.Path == expectedPath);
    }

    [Fact]
    public void Parse_OversizedDocument_IsRefused()
    {
        var result = PatternParser.Parse("name: x\n" + new string('#', PatternParser.MaxDocumentLength));

        Assert.Contains(result.Violations, v => v.Path == "$" && v.Reason.Contains("limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Library_BuiltInPatterns_AllParse()
    {
        var library = new PatternLibrary();

        Assert.Contains(library.All, p => p.Name == "reframe-vertical");
        Assert.All(library.All, p => Assert.True(PatternParser.Parse(p.Document).IsValid));
    }
}
