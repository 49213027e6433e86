using Media.Pipelines.Analysis;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.IntegrationTests;

/// <summary>
/// Burned-in text as libass draws it: the measured widths agree with the drawn pixels, and captions and titles in
/// every style and script stay inside the safe area (the same check `media patterns-eval` runs on real outputs).
/// </summary>
public sealed class OverlayCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("overlay-").FullName;
    private readonly ToolRunner _runner = new(NullLogger<ToolRunner>.Instance, TimeProvider.System);
    private readonly string _fonts = Path.GetDirectoryName(FontLocator.Find(null))!;

    [Fact]
    public async Task Draw_ManyFrames_OneSelectExpressionFFmpegAccepts()
    {
        // 150 sampled frames: a flat sum of 150 eq() terms is an expression ffmpeg refuses (about 100 deep at most).
        var script = Path.Combine(_folder, "many.ass");
        await File.WriteAllTextAsync(script, $"""
            [Script Info]
            ScriptType: v4.00+
            PlayResX: 320
            PlayResY: 180

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: S,{TextWidths.Default.FamilyName},40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,0,0,5,10,10,10,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            Dialogue: 0,0:00:00.00,0:00:05.00,S,,0,0,0,,Hi

            """);

        var frames = Enumerable.Range(0, 150).Select(i => i * 3).ToList();
        var drawn = await OverlayCheck.DrawAsync(_runner, "ffmpeg", [script], _fonts, 320, 180, frames, CancellationToken.None);

        Assert.Equal(frames, drawn.Select(d => d.Frame));
        Assert.All(drawn, d => Assert.NotNull(d.Box));
    }

    [Theory]
    [InlineData("PROGRESS WE EXPECT")]
    [InlineData("Waffle iffy quay")]
    [InlineData("你好世界 欢迎")]
    [InlineData("مرحبا بالعالم")]
    [InlineData("नमस्ते दुनिया")]
    [InlineData("fire 🔥 ok ★")]
    public async Task Widths_AgreeWithTheInkLibassDraws(string text)
    {
        const int size = 106;
        var script = Path.Combine(_folder, "calibration.ass");
        await File.WriteAllTextAsync(script, $"""
            [Script Info]
            ScriptType: v4.00+
            WrapStyle: 2
            PlayResX: 1600
            PlayResY: 400

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: S,{TextWidths.Default.FamilyName},{size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,0,0,7,100,0,100,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            Dialogue: 0,0:00:00.00,0:00:01.00,S,,0,0,0,,{text}

            """);

        var drawn = await OverlayCheck.DrawAsync(_runner, "ffmpeg", [script], _fonts, 1600, 400, [10], CancellationToken.None);

        var box = Assert.Single(drawn).Box ?? throw new Xunit.Sdk.XunitException("nothing drawn");
        var ink = box.Right - box.Left + 1;
        var measured = TextWidths.Default.Width(text, size);
        // The advance includes the first and last glyphs' side bearings, the ink does not: a little wider, never narrower.
        Assert.InRange(ink, measured * 0.9, measured + 3);
    }

    [Theory]
    [InlineData("tiktok", "pop", "upper")]
    [InlineData("tiktok", "karaoke", "sentence")]
    [InlineData("tiktok", "boxed", "upper")]
    [InlineData("youtube", "minimal", "sentence")]
    [InlineData("youtube", "pop", "upper")]
    public async Task CaptionsAndTitles_InEveryScript_StayInsideTheSafeArea(string preset, string style, string casing)
    {
        const string said = "progress we expect 你好世界我们 مرحبا بالعالم नमस्ते दुनिया fire 🔥 internationalization pneumonoultramicroscopicsilicovolcanoconiosis WAWAWAWAWA ok";
        var parsed = PatternParser.Parse($$$"""
            apiVersion: media.farm/v1
            name: p
            outputs: [{ name: o, preset: {{{preset}}} }]
            steps:
              - captions: { style: {{{style}}}, casing: {{{casing}}}, size: 0.06 }
              - text: { text: "{{title}}", start: 0, end: 4, position: top, size: 0.05 }
              - text: { text: "https://example.com/an/address/too/long/for/any/line", start: 4, end: 8, position: bottom, size: 0.05, box: none }
            """);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Violations));
        var words = said.Split(' ').Select((w, i) => new Word(w, 0.5 + (i * 0.45), 0.9 + (i * 0.45), 0.9)).ToList();
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 10,
            Speech = new SpeechAnalysis("vad", [new TimeRange(0, 10)]),
            Transcript = new Transcript("test", "m", words),
        };
        var source = new MediaProbe { DurationSeconds = 10, HasVideo = true, Width = 1920, Height = 1080, FrameRate = 30, VideoCodec = "h264" };
        var parameters = new Dictionary<string, string> { ["title"] = "标题 Title: WHAT 50% {\\b1} can DO for you 🔥" };
        var plan = RenderPlanner.Plan(parsed.Pattern!, parsed.Pattern!.Outputs[0], source, analysis, parameters);

        var files = await RenderFiles.WriteAsync(plan, _folder, FontLocator.Find(null), CancellationToken.None);
        var report = await OverlayCheck.RunAsync(_runner, "ffmpeg", [files.Assets.CaptionsPath!, files.Assets.TitlesPath!], files.FontsDirectory!, plan.Width, plan.Height, TextWidths.Default, CancellationToken.None);

        Assert.True(report.Clean, report.ToString());
        // Every caption is drawn (pop and karaoke: every word of it) and both titles.
        Assert.True(report.Frames >= plan.Captions!.Captions.Count + 1, $"{report.Frames} frames drawn");
    }

    [Fact]
    public async Task Check_CatchesALineWiderThanTheFrameAndACharacterNoFontHas()
    {
        // The reported defect, written the old way: one line of 106 px bold capitals on a 1080 px wide frame.
        var script = Path.Combine(_folder, "overflow.ass");
        await File.WriteAllTextAsync(script, $"""
            [Script Info]
            ScriptType: v4.00+
            WrapStyle: 2
            ScaledBorderAndShadow: yes
            PlayResX: 1080
            PlayResY: 1920

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: Caption,DejaVu Sans,106,&H00FFFFFF,&H0000D4FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,10,0,2,64,151,422,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,ok
            Dialogue: 0,0:00:01.00,0:00:02.00,Caption,,0,0,0,,PROGRESS WE EXPECT
            Dialogue: 0,0:00:02.00,0:00:03.00,Caption,,0,0,0,,a{"\uE000"}b

            """);

        var report = await OverlayCheck.RunAsync(_runner, "ffmpeg", [script], _fonts, 1080, 1920, TextWidths.Default, CancellationToken.None);

        Assert.Equal(3, report.Frames);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(1.0, problem.Seconds);
        Assert.Equal(["\uE000"], report.MissingGlyphs);
        Assert.False(report.Clean);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
