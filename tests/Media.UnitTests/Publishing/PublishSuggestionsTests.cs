using Media.Pipelines.Publishing;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Publishing;

public sealed class PublishSuggestionsTests
{
    // Recogniser-style text: lowercase, no punctuation, sentences separated by pauses.
    private static Transcript Spoken(params string[] sentences)
    {
        var words = new List<Word>();
        var t = 0.0;
        foreach (var sentence in sentences)
        {
            foreach (var token in sentence.Split(' '))
            {
                words.Add(new Word(token, t, t + 0.3, 0.9));
                t += 0.35;
            }

            t += 1.0;
        }

        return new Transcript("pocketsphinx", "en-us", words);
    }

    [Fact]
    public void FromTranscript_KeywordsBecomeHashtags_TitleIsTheEarlySentenceAboutThem()
    {
        var transcript = Spoken(
            "hi everyone thanks for watching",
            "today i will show you how sourdough bread gets its crust",
            "the crust of sourdough bread comes from steam",
            "bake the bread hot and keep the steam in",
            "and that is it see you next time");

        var suggestions = PublishSuggestions.FromTranscript(transcript)!;

        Assert.Equal(["#bread", "#sourdough", "#crust", "#steam"], suggestions.Hashtags.Take(4));
        Assert.Equal("The crust of sourdough bread comes from steam", suggestions.Title);
        Assert.StartsWith("Hi everyone thanks for watching Today I will show", suggestions.Description, StringComparison.Ordinal);
        Assert.True(suggestions.Description.Length <= PublishSuggestions.MaxDescriptionLength);
        Assert.Equal("transcript (pocketsphinx)", suggestions.Source);
        Assert.DoesNotContain(suggestions.Keywords, k => k is "the" or "you" or "and");
    }

    [Fact]
    public void FromTranscript_LongSpeech_TitleAndDescriptionAreCutAtWords()
    {
        var sentence = string.Join(' ', Enumerable.Repeat("remarkable mountain expedition stories", 12));
        var suggestions = PublishSuggestions.FromTranscript(Spoken(sentence, sentence, sentence))!;

        Assert.True(suggestions.Title.Length <= PublishSuggestions.MaxTitleLength, suggestions.Title);
        Assert.EndsWith("…", suggestions.Title, StringComparison.Ordinal);
        Assert.DoesNotContain("  ", suggestions.Title, StringComparison.Ordinal);
        Assert.True(suggestions.Description.Length <= PublishSuggestions.MaxDescriptionLength);
    }

    [Fact]
    public void FromTranscript_HostileWords_NeverReachTitleOrHashtags()
    {
        var transcript = Spoken("<script>alert(1)</script> buy\u0007 cheap crypto crypto", "crypto #tag ../../etc/passwd \u202Eevil");

        var suggestions = PublishSuggestions.FromTranscript(transcript)!;

        Assert.DoesNotContain('<', suggestions.Title);
        Assert.DoesNotContain('\u0007', suggestions.Description);
        Assert.All(suggestions.Hashtags, h => Assert.True(h.Length > 1 && h[1..].All(char.IsLetterOrDigit), h));
        Assert.Equal("#crypto", suggestions.Hashtags[0]);
        Assert.DoesNotContain('\u202E', suggestions.Description);
        var read = PublishSuggestions.FromJson(suggestions.ToJson())!;
        Assert.Equal((suggestions.Title, suggestions.Description), (read.Title, read.Description));
        Assert.Equal(suggestions.Hashtags, read.Hashtags);
    }

    [Fact]
    public void FromTranscript_TooLittleSpeech_IsNull()
    {
        Assert.Null(PublishSuggestions.FromTranscript(null));
        Assert.Null(PublishSuggestions.FromTranscript(Spoken("hello there")));
    }

    [Fact]
    public void Keywords_LowConfidenceWordsAreNotKeywords_UnlessTheyAreTheScript()
    {
        Media.Pipelines.Speech.Word[] words =
        [
            new("budget", 0, 0.5, 0.9), new("budget", 1, 1.5, 0.8), new("bananas", 2, 2.5, 0.05), new("bananas", 3, 3.5, 0.05), new("bananas", 4, 4.5, 0.05),
            new("the", 5, 5.2, 0.9), new("money", 6, 6.5, 0.7),
        ];

        Assert.Equal(["budget", "money"], Media.Pipelines.Publishing.Keywords.Top(words, 8, trusted: false));
        Assert.Equal(["bananas", "budget", "money"], Media.Pipelines.Publishing.Keywords.Top(words, 8, trusted: true));
        Assert.Equal(["budget"], Media.Pipelines.Publishing.Keywords.ForCaptions(new Media.Pipelines.Speech.Transcript("pocketsphinx", "m", words), 20).ToList());
        Assert.Equal(3, Media.Pipelines.Publishing.Keywords.ForCaptions(new Media.Pipelines.Speech.Transcript("pocketsphinx", "m", words, ScriptAligned: true), 60).Count);
    }
}
