using Media.Pipelines.Speech;

namespace Media.UnitTests.Captions;

public sealed class SpeechTextTests
{
    [Fact]
    public void PocketSphinxOutput_WordsTimedFillersAndVariantsDropped()
    {
        string[] lines =
        [
            "and not what your country",
            "<s> 3.170 3.280 1.000300",
            "and(2) 3.290 3.730 0.985603",
            "<sil> 3.740 3.980 0.828680",
            "[NOISE] 3.990 4.000 0.5",
            "not 3.990 4.300 0.817730",
            "</s> 4.310 4.760 1.000000",
        ];

        var words = PocketSphinxRecognizer.Parse(lines);

        Assert.Equal([new Word("and", 3.29, 3.73, 0.985603), new Word("not", 3.99, 4.3, 0.81773)], words);
    }

    [Fact]
    public void ErrorRate_CountsSubstitutionsDeletionsInsertions()
    {
        var reference = WordText.Split("Ask not what your country can do for you.");
        var hypothesis = WordText.Split("and not what your country can do for you you");

        Assert.Equal(2.0 / 9, WordText.ErrorRate(reference, hypothesis), 6);
        Assert.Equal(0, WordText.ErrorRate(reference, reference));
        Assert.Equal("don't", WordText.Normalize("\"Don't,"));
    }

    [Fact]
    public void ScriptAligner_ScriptWordsKeptTimedByPartnersAndInterpolated()
    {
        Word[] heard = [new("ask", 0.5, 0.8, 0.9), new("knot", 0.9, 1.2, 0.4), new("your", 1.6, 1.8, 0.8), new("country", 1.9, 2.4, 0.9)];

        var words = ScriptAligner.Align("Ask not what your country", heard, 3);

        Assert.Equal(["Ask", "not", "what", "your", "country"], words.Select(w => w.Text));
        Assert.Equal((0.9, 1.2), (words[1].Start, words[1].End));
        Assert.Equal((1.2, 1.6), (words[2].Start, words[2].End));
        Assert.Equal(0, words[2].Confidence);
        Assert.All(words.Zip(words.Skip(1)), p => Assert.True(p.Second.Start >= p.First.End - 1e-9));
    }

    [Fact]
    public void ScriptAligner_NothingHeard_WholeScriptSpreadOverTheAudio()
    {
        var words = ScriptAligner.Align("one two three", [], 3);

        Assert.Equal(3, words.Count);
        Assert.Equal(0, words[0].Start);
        Assert.Equal(3, words[^1].End, 6);
    }

    [Fact]
    public void ScriptLanguageModel_ArpaCountsMatchTheEntries()
    {
        var arpa = ScriptLanguageModel.Build(["ask", "not", "what", "not"]);

        Assert.StartsWith("\\data\\\nngram 1=5\nngram 2=5\n", arpa, StringComparison.Ordinal);
        Assert.Contains("-0.0458 ask not\n", arpa, StringComparison.Ordinal);
        Assert.EndsWith("\\end\\\n", arpa, StringComparison.Ordinal);
    }
}
