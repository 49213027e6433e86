using Media.Pipelines.Analysis;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Captions;

public sealed class SpeechTextTests
{
    [Fact]
    public void PocketSphinxCtm_WordsOnTheInputsClock_FillersAndVariantsDropped()
    {
        string[] lines =
        [
            "u0 1 0.05 0.11 <s> 1.000",
            "u0 1 0.16 0.44 and(2) 0.985603",
            "u0 1 0.60 0.24 <sil> 0.828680",
            "u1 1 0.01 0.01 [NOISE] 0.5",
            "u1 1 0.12 0.31 not 0.817730",
            "u7 1 0.12 0.31 stray 0.9",
            "garbage",
        ];

        var words = PocketSphinxRecognizer.ParseCtm(lines, [3.13, 3.87]);

        Assert.Equal([new Word("and", 3.29, 3.73, 0.985603), new Word("not", 3.99, 4.3, 0.81773)], words);
    }

    [Fact]
    public void PocketSphinxHeard_UtterancesUpToTheLastNamedInACompleteLine_ByTheirFrames()
    {
        IReadOnlyList<(long Start, long End)> frames = [(0, 100), (200, 500), (600, 700)];

        Assert.Equal(0, PocketSphinxRecognizer.Heard("", frames));
        Assert.Equal(0, PocketSphinxRecognizer.Heard("u0 1 0.05 0.11 hel", frames)); // a line still being written
        Assert.Equal(0.2, PocketSphinxRecognizer.Heard("u0 1 0.05 0.11 hello 0.9\n", frames), 9);
        // u1 had no words: it counts once u2 names itself.
        Assert.Equal(1.0, PocketSphinxRecognizer.Heard("u0 1 0.05 0.11 hello 0.9\nu2 1 0.1 0.2 there 0.8\nu2 1 0.3", frames), 9);
        Assert.Equal(0, PocketSphinxRecognizer.Heard("u9 1 0.05 0.11 stray 0.9\n", frames));
        Assert.Equal(0, PocketSphinxRecognizer.Heard("garbage\n", frames));
    }

    [Fact]
    public void PocketSphinxFrames_UtterancesInOrderOnTheTenMillisecondGrid()
    {
        var frames = PocketSphinxRecognizer.Frames([new(4.136, 9.504), new(0.2, 1.0), new(2.0, 2.004)]);

        Assert.Equal([(20L, 100L), (414L, 950L)], frames);
    }

    [Fact]
    public void WhisperWindows_ConsecutiveUtterancesShareA30SecondWindow()
    {
        var windows = Media.Pipelines.Speech.Whisper.WhisperRecognizer.Windows([new(31, 40), new(0.5, 10), new(12, 29.5), new(41, 75), new(76, 77)]);

        Assert.Equal([new(0.5, 29.5), new(31, 40), new(41, 75), new(76, 77)], windows);
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
    public void ScriptAligner_FirstWordsUnheard_PlacedBeforeTheFirstHeardOne()
    {
        Word[] heard = [new("the", 1.41, 1.64, 0.8), new("farm", 1.65, 2.0, 1)];

        var words = ScriptAligner.Align("Welcome to the farm", heard, 3);

        Assert.Equal(["Welcome", "to", "the", "farm"], words.Select(w => w.Text));
        Assert.Equal((0.81, 1.41), (Math.Round(words[0].Start, 3), Math.Round(words[1].End, 3)));
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
