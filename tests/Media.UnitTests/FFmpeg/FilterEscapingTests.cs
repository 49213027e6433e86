using Media.Pipelines.FFmpeg;

namespace Media.UnitTests.FFmpeg;

public sealed class FilterEscapingTests
{
    [Theory]
    [InlineData("1080", "1080")]
    [InlineData("(W-w)/2", "(W-w)/2")]
    [InlineData("a:b", @"\'a:b\'")]
    [InlineData("it's", @"\'it\'\\\'\'s\'")]
    [InlineData("x[0];y,z", @"\'x\[0\]\;y\,z\'")]
    [InlineData("", @"\'\'")]
    public void Escape_Value_MatchesExpected(string value, string expected)
    {
        Assert.Equal(expected, FilterEscaping.Escape(value));
    }

    [Fact]
    public void Render_HostileOptionValue_CannotAddFiltersOrOptions()
    {
        var filter = Filter.Of("drawtext", ("text", "a'b:c=d,e;[f]\\g%{pts}"), ("x", 10));

        var rendered = filter.Render();

        // Every graph-level separator of the value is escaped: nothing outside the quoted value splits the graph.
        var unescaped = Unescaped(rendered);
        Assert.Equal(0, unescaped.Count(c => c is ',' or ';' or '[' or ']'));
        Assert.EndsWith(":x=10", rendered, StringComparison.Ordinal);
    }

    private static string Unescaped(string text)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            result.Append(text[i]);
        }

        return result.ToString();
    }
}
