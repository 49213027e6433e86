using Media.Pipelines.Analysis;
using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Captions;

/// <summary>Captions and titles laid out by the glyphs' drawn widths (the pixels are checked in OverlayCheckTests).</summary>
public sealed class CaptionFitTests
{
    private static readonly TextWidths Widths = TextWidths.Default;

    private static readonly MediaProbe Source = new()
    {
        DurationSeconds = 30, HasVideo = true, Width = 1920, Height = 1080, FrameRate = 30, VideoCodec = "h264", HasAudio = true, AudioCodec = "aac",
    };

    private static List<Word> Words(string text, double start = 0, double each = 0.3) =>
        text.Split(' ').Select((w, i) => new Word(w, start + (i * each), start + (i * each) + (each - 0.05), 0.9)).ToList();

    private static RenderPlan PlanWith(string captions, string said, string preset = "tiktok")
    {
        var parsed = PatternParser.Parse($"apiVersion: media.farm/v1\nname: p\noutputs: [{{ name: o, preset: {preset} }}]\nsteps:\n  - captions: {captions}");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Violations));
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 30,
            Speech = new SpeechAnalysis("vad", [new TimeRange(0, 30)]),
            Transcript = new Transcript("test", "m", Words(said, 0.5, 0.35)),
        };
        return RenderPlanner.Plan(parsed.Pattern!, parsed.Pattern!.Outputs[0], Source, analysis);
    }

    [Fact]
    public void TextWidths_UpperCaseBoldLineOfTheReport_IsWiderThanTheVerticalSafeArea()
    {
        // The reported defect: 106 px bold capitals, 18 characters, cut at both edges of a 1080 px wide frame.
        var width = Widths.Width("PROGRESS WE EXPECT", 106);

        Assert.InRange(width, SafeArea.For(1080, 1920).Width, 1080 * 1.2);
        Assert.True(Widths.Width("WWW", 100) > 2 * Widths.Width("iii", 100));
        Assert.Equal(2 * Widths.Width("word", 50), Widths.Width("word", 100), 6);
    }

    [Fact]
    public void TextWidths_EveryScriptHasAFontAndPrivateUseCharactersDoNot()
    {
        Assert.Empty(Widths.Missing("Hello 你好 مرحبا שלום नमस्ते Привет 🔥 👍🏽 ★"));
        Assert.Equal(["\uE000"], Widths.Missing("a\uE000b"));
        Assert.True(Widths.Width("你好世界", 100) > Widths.Width("ab", 100));
    }

    [Theory]
    [InlineData("{ style: pop, casing: upper, size: 0.055 }")]
    [InlineData("{ style: karaoke, size: 0.07 }")]
    [InlineData("{ style: boxed, casing: upper, size: 0.06 }")]
    [InlineData("{ style: minimal, size: 0.05 }")]
    public void Plan_EveryLineFitsTheSafeAreaAsDrawn(string captions)
    {
        const string said = "the progress we expect from this administration is progress for every family in america and the internationalization of responsibilities matters";

        foreach (var preset in new[] { "tiktok", "youtube" })
        {
            var plan = PlanWith(captions, said, preset);
            var geometry = CaptionGeometry.For(plan.Captions!.Step, plan.Width, plan.Height);

            Assert.NotEmpty(plan.Captions.Captions);
            Assert.All(plan.Captions.Captions, caption =>
            {
                Assert.InRange(caption.Lines.Count, 1, 2);
                // A word wider than a line alone is drawn smaller (Ass_AWordWiderThanALine_IsDrawnSmallerNeverCut).
                Assert.All(caption.Lines, line => Assert.True(
                    line.Count == 1 || geometry.LineWidth([.. line.Select(w => w.Text)], Widths) <= geometry.MaxLineWidth,
                    $"{preset}: '{string.Join(' ', line.Select(w => w.Text))}' is {geometry.LineWidth([.. line.Select(w => w.Text)], Widths):0} px, the safe width {geometry.MaxLineWidth:0}"));
            });
            Assert.Equal(said.Split(' ').Length, plan.Captions.Captions.Sum(c => c.Words.Count()));
        }
    }

    [Fact]
    public void Layout_PopLeavesRoomForTheNewestWordToGrow()
    {
        var step = new CaptionsStep { Style = CaptionStyle.Pop, Size = 0.055, Casing = CaptionCasing.Upper };
        var pop = CaptionGeometry.For(step, 1080, 1920);
        var plain = CaptionGeometry.For(step with { Style = CaptionStyle.Karaoke }, 1080, 1920);
        string[] line = ["PROGRESS", "WE"];

        Assert.Equal(plain.LineWidth(line, Widths) + (0.25 * Widths.Width("PROGRESS", pop.FontSize)), pop.LineWidth(line, Widths), 6);
    }

    [Fact]
    public void Ass_AWordWiderThanALine_IsDrawnSmallerNeverCut()
    {
        var step = new CaptionsStep { Style = CaptionStyle.Pop, Size = 0.07, Casing = CaptionCasing.Upper };
        var geometry = CaptionGeometry.For(step, 1080, 1920);
        var layout = new CaptionLayout { MaxChars = 0, LineWidth = l => geometry.LineWidth(l, Widths), MaxLineWidth = geometry.MaxLineWidth, Casing = CaptionCasing.Upper };
        var captions = layout.Build(Words("it is pneumonoultramicroscopicsilicovolcanoconiosis they said", 0, 0.6));

        var longWord = captions.SelectMany(c => c.Lines).Single(l => l.Any(w => w.Text.StartsWith("PNEUMONO", StringComparison.Ordinal)));
        Assert.Single(longWord);

        var ass = AssWriter.Write(captions, step, 1080, 1920, new HashSet<string>(), Widths);
        var events = ass.Split('\n').Where(l => l.StartsWith("Dialogue:", StringComparison.Ordinal)).ToList();
        var shrunk = events.Where(e => e.Contains("PNEUMONO", StringComparison.Ordinal) && e.Contains("\\fscx", StringComparison.Ordinal)).ToList();
        var scale = geometry.ScaleToFit(geometry.LineWidth(["PNEUMONOULTRAMICROSCOPICSILICOVOLCANOCONIOSIS"], Widths));
        Assert.InRange(scale, 10, 99);
        Assert.All(events.Where(e => e.Contains("PNEUMONO", StringComparison.Ordinal)), e => Assert.StartsWith($"{{\\fscx{scale}\\fscy{scale}}}", e.Split(",,")[^1], StringComparison.Ordinal));
        // The newest word pops from 125% of the shrunk size back to it; resets keep the shrunk size.
        Assert.Contains(shrunk, e => e.Contains($"\\t(0,120,\\fscx{scale}\\fscy{scale})", StringComparison.Ordinal));
        Assert.All(shrunk, e => Assert.DoesNotContain("{\\r}", e, StringComparison.Ordinal));
        // Captions that fit are left at their size.
        var others = events.Where(e => !e.Contains("PNEUMONO", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(others);
        Assert.All(others, e => Assert.DoesNotContain($"\\fscx{scale}\\", e, StringComparison.Ordinal));
        Assert.All(others, e => Assert.Contains("\\fscx125\\fscy125\\t(0,120,\\fscx100\\fscy100)", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Layout_FewestLinesBottomHeavyWhenTheyTie()
    {
        var layout = new CaptionLayout { MaxChars = 12, MaxLines = 2 };

        var captions = layout.Build(Words("one two three four"));

        Assert.Equal(["one two\nthree four"], captions.Select(c => c.Text.ToLowerInvariant()));
        Assert.Equal(["Go now"], new CaptionLayout { MaxChars = 12 }.Build(Words("go now")).Select(c => c.Text));
    }

    [Fact]
    public void Titles_EscapedCentredInTheSafeAreaAndShrunkWhenAWordIsTooWide()
    {
        PlannedText[] texts =
        [
            new("Hi: 'x' %{pts} {\\b1}\nline two", 0, 3, 60, "#FFFFFF", "#000000A0", Media.Pipelines.Patterns.Steps.TextPosition.Top),
            new("https://example.com/a/very/long/address/nobody/can/break", 3, 5, 86, "#FFD400", null, Media.Pipelines.Patterns.Steps.TextPosition.Bottom),
        ];

        var script = TitleScript.Write(texts, 1080, 1920, Widths);

        Assert.Contains("Style: Title0,DejaVu Sans,60,&H00FFFFFF,&H00FFFFFF,&HFF000000,&H5F000000,-1,0,0,0,100,100,0,0,4,18,0,8,65,151,192,1", script, StringComparison.Ordinal);
        Assert.Contains("Dialogue: 0,0:00:00.00,0:00:03.00,Title0,,0,0,0,,Hi: 'x' %｛pts｝ ｛＼b1｝\\Nline two\n", script, StringComparison.Ordinal);
        var scale = (int)Math.Floor(100 * SafeArea.For(1080, 1920).Width * 0.98 / (Widths.Width("https://example.com/a/very/long/address/nobody/can/break", 86) + (2 * TitleScript.Border(86, boxed: false))));
        Assert.Contains($"Title1,,0,0,0,,{{\\fscx{scale}\\fscy{scale}}}https://", script, StringComparison.Ordinal);
    }
}
