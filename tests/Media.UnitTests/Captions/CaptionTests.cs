using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Captions;

public sealed class CaptionTests
{
    private static List<Word> Words(string text, double start = 0, double each = 0.3) =>
        text.Split(' ').Select((w, i) => new Word(w, start + (i * each), start + (i * each) + (each - 0.05), 0.9)).ToList();

    [Fact]
    public void Layout_LinesFitSentencesAndPausesStartNewCaptions()
    {
        var words = Words("so this is how we edit. it takes a minute");
        words.AddRange(Words("and then we publish", 5));

        var captions = new CaptionLayout { MaxChars = 12, MaxLines = 2 }.Build(words);

        Assert.Equal(["So this is\nhow we edit.", "It takes\na minute", "And then\nwe publish"], captions.Select(c => c.Text));
        Assert.All(captions, c => Assert.All(c.Lines, l => Assert.True(string.Join(' ', l.Select(w => w.Text)).Length <= 12)));
        Assert.True(captions[1].End <= captions[2].Start);
    }

    [Fact]
    public void Layout_LoneWordJoinsItsNeighbourAndCasingIsTidied()
    {
        var words = Words("i think this works");
        words.Add(new Word("well", 1.3, 1.5, 0.9));

        var captions = new CaptionLayout { MaxChars = 24, MaxWords = 4 }.Build(words);
        var upper = new CaptionLayout { Casing = CaptionCasing.Upper }.Build(Words("ship it"));

        Assert.Equal(["I think this works well"], captions.Select(c => c.Text.Replace('\n', ' ')));
        Assert.Equal("SHIP IT", upper.Single().Text);
    }

    [Fact]
    public void Ass_KaraokeEventPerWordHighlightAndHostileTextStaysText()
    {
        var captions = new CaptionLayout().Build([new Word("{\\b1}hi", 0, 0.5, 1), new Word("there", 0.5, 1, 1)]);
        var step = new CaptionsStep { Style = CaptionStyle.Karaoke, Highlight = "#FFD400" };

        var ass = AssWriter.Write(captions, step, 1080, 1920, new HashSet<string>(), TextWidths.Default);

        var events = ass.Split('\n').Where(l => l.StartsWith("Dialogue:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, events.Count);
        Assert.EndsWith("{\\c&H00D4FF&}｛＼b1｝hi{\\r} there", events[0], StringComparison.Ordinal);
        Assert.StartsWith("Dialogue: 0,0:00:00.50,0:00:01.00,Caption,,0,0,0,,", events[1], StringComparison.Ordinal);
        Assert.Contains("PlayResX: 1080\nPlayResY: 1920", ass, StringComparison.Ordinal);
        Assert.Contains("Style: Caption,DejaVu Sans,96,&H00FFFFFF,&H0000D4FF,", ass, StringComparison.Ordinal);
        Assert.Equal("&H80000000", AssWriter.Colour("#0000007F"));
    }

    [Fact]
    public void SidecarFiles_SrtAndWebVttTimingAndEscaping()
    {
        var captions = new List<Caption> { new(1.5, 3723.25, [[new Word("a<b", 1.5, 2, 1), new Word("&c", 2, 3, 1)]]) };

        Assert.Equal("1\n00:00:01,500 --> 01:02:03,250\na<b &c\n\n", SubtitleFiles.Srt(captions));
        Assert.Equal("WEBVTT\n\n00:00:01.500 --> 01:02:03.250\na&lt;b &amp;c\n\n", SubtitleFiles.WebVtt(captions));
    }

    [Fact]
    public void OutputTimeline_WordsFollowCutsAndSpeed()
    {
        Word[] words = [new("one", 1, 1.5, 1), new("gone", 3, 3.5, 1), new("two", 6, 6.5, 1)];
        PlannedSegment[] segments = [new(0.9, 2, 1), new(5.9, 7, 1)];

        var mapped = PlannedCaptions.ToOutputTimeline(words, segments, 2);

        Assert.Equal(["one", "two"], mapped.Select(w => w.Text));
        Assert.Equal((0.05, 0.3), (Math.Round(mapped[0].Start, 6), Math.Round(mapped[0].End, 6)));
        Assert.Equal((0.6, 0.85), (Math.Round(mapped[1].Start, 6), Math.Round(mapped[1].End, 6)));
    }
}
