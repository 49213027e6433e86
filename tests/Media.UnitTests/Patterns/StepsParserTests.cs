using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;

namespace Media.UnitTests.Patterns;

public sealed class StepsParserTests
{
    private static PatternParseResult Parse(string steps, string outputs = "  - { name: vertical, preset: tiktok }") => PatternParser.Parse($"""
        apiVersion: media.farm/v1
        name: p
        outputs:
        {outputs}
        steps:
        {steps}
        """);

    [Fact]
    public void Parse_EveryStep_ReadsItsSettings()
    {
        var result = Parse("""
              - trim: { start: 2, duration: 30 }
              - jumpCuts: { minSilence: 0.6, padding: 0.2 }
              - reframe: { mode: face, maxPan: 0.5, deadZone: 0.2 }
              - punchIn: { at: cuts, zoom: 1.2 }
              - text: { text: "{{title}}", start: 0, end: 3, position: lower-third, size: 0.06, color: "#FFD400", box: "#00000080" }
              - text: { text: "Follow for more", start: 5, position: bottom, box: false }
              - loudness: { target: -16, truePeak: -2 }
              - speed: { factor: 1.25 }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        var steps = result.Pattern!.Steps;
        Assert.Equal(new TrimStep(2, 32), steps.Trim);
        Assert.Equal(new JumpCutsStep(0.6, 0.2), steps.JumpCuts);
        Assert.Equal(new ReframeStep(ReframeMode.Face, 0.5, 0.2), steps.Reframe);
        Assert.Equal(new PunchInStep(1.2, null, true), steps.PunchIn);
        Assert.Equal(2, steps.Texts.Count);
        Assert.Equal((TextPosition.LowerThird, 0.06, "#FFD400", "#00000080", 3.0), (steps.Texts[0].Position, steps.Texts[0].Size, steps.Texts[0].Color, steps.Texts[0].BoxColor, steps.Texts[0].EndSeconds!.Value));
        Assert.Null(steps.Texts[1].BoxColor);
        Assert.Null(steps.Texts[1].EndSeconds);
        Assert.Equal(new LoudnessStep(-16, -2), steps.Loudness);
        Assert.Equal(1.25, steps.Speed);
        Assert.Equal(AnalysisNeeds.Speech | AnalysisNeeds.Faces | AnalysisNeeds.Loudness, steps.Needs);
        Assert.False(steps.IsPlain);
    }

    [Fact]
    public void Parse_SpeakerReframe_ReadsMinShotAndNeedsSpeakers()
    {
        var result = Parse("  - reframe: { mode: speaker, minShot: 3, maxPan: 0.4 }");

        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        Assert.Equal(new ReframeStep(ReframeMode.Speaker, 0.4, 0.1, 3), result.Pattern!.Steps.Reframe);
        Assert.Equal(AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers, result.Pattern.Steps.Needs);
    }

    [Fact]
    public void Parse_MinShotOutsideSpeakerMode_Refused()
    {
        var result = Parse("  - reframe: { mode: face, minShot: 3 }");

        Assert.Contains(result.Violations, v => v.Path == "steps[0].reframe.minShot" && v.Reason.Contains("speaker", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_Layout_ReadsSplitAndAutoAndNeedsTheTracks()
    {
        var split = Parse("  - reframe: { mode: face, layout: split }");
        var auto = Parse("  - reframe: { layout: auto }");

        Assert.True(split.IsValid, string.Join("; ", split.Violations));
        Assert.Equal(ReframeLayout.Split, split.Pattern!.Steps.Reframe.Layout);
        Assert.Equal(AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers, split.Pattern.Steps.Needs);
        Assert.Equal((ReframeMode.Auto, ReframeLayout.Auto), (auto.Pattern!.Steps.Reframe.Mode, auto.Pattern.Steps.Reframe.Layout));
        Assert.Equal(ReframeLayout.Single, Parse("  - reframe: { mode: speaker }").Pattern!.Steps.Reframe.Layout);
    }

    [Theory]
    [InlineData("center", "split", "apply to mode: face, speaker and auto only")]
    [InlineData("speaker", "grid", "unknown layout 'grid'; known: single, split, auto")]
    public void Parse_BadLayout_RefusedWithTheReason(string mode, string layout, string reason)
    {
        var result = Parse($"  - reframe: {{ mode: {mode}, layout: {layout} }}");

        Assert.Contains(result.Violations, v => v.Path == "steps[0].reframe.layout" && v.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoSteps_IsPlainCentreCropNeedingNoAnalysis()
    {
        var result = PatternParser.Parse("apiVersion: media.farm/v1\nname: p\noutputs: [{ name: o, preset: youtube }]");

        Assert.True(result.IsValid);
        Assert.True(result.Pattern!.Steps.IsPlain);
        Assert.Equal(AnalysisNeeds.None, result.Pattern.Steps.Needs);
        Assert.Equal(ReframeMode.Center, result.Pattern.Reframe);
    }

    [Fact]
    public void Parse_BadSettings_ReportsEachByPathAndReason()
    {
        var result = Parse("""
              - trim: { start: 10, end: 5 }
              - punchIn: { zoom: 3, every: 4 }
              - reframe: { mode: wobble }
              - text: { text: "", position: sideways, color: red }
              - speed: { factor: 5 }
              - loudness: { target: 0 }
              - speed: { factor: 1 }
              - sparkles: { on: true }
              - jumpCuts: { minSilence: 0.5, extra: 1 }
            """);

        var reasons = result.Violations.ToDictionary(v => v.Path, v => v.Reason);
        Assert.False(result.IsValid);
        Assert.Equal("must be after start (10s)", reasons["steps[0].trim.end"]);
        Assert.Equal("must be a number between 1 and 2", reasons["steps[1].punchIn.zoom"]);
        Assert.StartsWith("unknown mode 'wobble'", reasons["steps[2].reframe.mode"], StringComparison.Ordinal);
        Assert.Equal("must be 1 to 500 characters", reasons["steps[3].text.text"]);
        Assert.StartsWith("unknown position 'sideways'", reasons["steps[3].text.position"], StringComparison.Ordinal);
        Assert.Equal("must be #RRGGBB or #RRGGBBAA", reasons["steps[3].text.color"]);
        Assert.Equal("must be a number between 0.5 and 2", reasons["steps[4].speed.factor"]);
        Assert.Equal("must be a number between -40 and -5", reasons["steps[5].loudness.target"]);
        Assert.Equal("'speed' appears twice; a pattern has at most one", reasons["steps[6].speed"]);
        Assert.StartsWith("unknown step 'sparkles'; known: trim, clips, jumpCuts", reasons["steps[7]"], StringComparison.Ordinal);
        Assert.StartsWith("unknown field; allowed: minSilence, padding", reasons["steps[8].jumpCuts.extra"], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Clips_FanOutSettingsAndConflicts()
    {
        var good = Parse("  - clips: { count: 4, minLength: 10, maxLength: 30 }");
        var bad = Parse("  - clips: { count: 40, minLength: 30, maxLength: 10 }\n  - trim: { start: 1 }");

        Assert.Equal(new ClipsStep(4, 10, 30), good.Pattern!.Steps.Clips);
        Assert.Equal(AnalysisNeeds.Speech | AnalysisNeeds.Loudness | AnalysisNeeds.Faces, good.Pattern.Steps.Needs);
        var reasons = bad.Violations.ToDictionary(v => v.Path, v => v.Reason);
        Assert.Equal("must be a whole number between 1 and 10", reasons["steps[0].clips.count"]);
        Assert.Equal("must be at least minLength (30s)", reasons["steps[0].clips.maxLength"]);
        Assert.Equal("clips chooses its own windows; remove trim (or clips)", reasons["steps"]);
    }

    [Fact]
    public void Parse_PunchInAtCutsWithoutJumpCuts_Refused()
    {
        var result = Parse("  - punchIn: { at: cuts }");

        Assert.Contains(result.Violations, v => v.Path == "steps" && v.Reason.StartsWith("punchIn at: cuts needs a jumpCuts step", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("9:16", 1080, 1920)]
    [InlineData("1:1", 1080, 1080)]
    [InlineData("4:5", 1080, 1350)]
    [InlineData("16:9", 1920, 1080)]
    public void Parse_OutputAspect_SizesFromThePresetShortSide(string aspect, int width, int height)
    {
        var result = Parse("  - reframe: { mode: center }", $"  - {{ name: o, preset: tiktok, aspect: \"{aspect}\" }}");

        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        Assert.Equal((width, height), (result.Pattern!.Outputs[0].Width, result.Pattern.Outputs[0].Height));
    }

    [Fact]
    public void Parse_UnknownAspect_NamesTheKnownOnes()
    {
        var result = Parse("  - reframe: { mode: center }", "  - { name: o, preset: tiktok, aspect: \"3:2\" }");

        Assert.Contains(result.Violations, v => v.Path == "outputs[0].aspect" && v.Reason == "unknown aspect '3:2'; known: 9:16, 1:1, 4:5, 16:9");
    }
}
