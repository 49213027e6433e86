using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

public sealed class RenderPlannerTests
{
    private static readonly MediaProbe Source = new()
    {
        DurationSeconds = 10, HasVideo = true, Width = 1920, Height = 1080, FrameRate = 30, VideoCodec = "h264", HasAudio = true, AudioCodec = "aac",
    };

    private static Pattern Pattern(string steps, string preset = "tiktok")
    {
        var result = PatternParser.Parse($"apiVersion: media.farm/v1\nname: p\noutputs: [{{ name: o, preset: {preset} }}]\nsteps:\n{steps}");
        Assert.True(result.IsValid, string.Join("; ", result.Violations));
        return result.Pattern!;
    }

    private static SourceAnalysis Analysis(double lufs) => new()
    {
        DurationSeconds = 10,
        Loudness = new LoudnessAnalysis(lufs, 0.1, Enumerable.Repeat(lufs, 100).ToList()),
        Speech = new SpeechAnalysis("vad", [new TimeRange(1, 4), new TimeRange(6, 9)]),
    };

    [Fact]
    public void Plan_Loudness_GainFromTheKeptPartsToTheTarget()
    {
        var pattern = Pattern("  - loudness: { target: -14, truePeak: -1 }\n  - jumpCuts: { padding: 0 }");

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, Analysis(-23.5));

        Assert.Equal(9.5, plan.GainDb);
        Assert.Equal(0.8913, plan.PeakLimit);
        Assert.Equal(6, plan.DurationSeconds, 6);
        Assert.False(plan.Truncated);
    }

    [Fact]
    public void Plan_MissingAnalysis_IsAnErrorNotASilentDefault()
    {
        var pattern = Pattern("  - jumpCuts: {}");

        var ex = Assert.Throws<InvalidOperationException>(() => RenderPlanner.Plan(pattern, pattern.Outputs[0], Source));

        Assert.Contains("needs an analysis with Speech", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Texts_MergedWrappedAndEmptyOnesSkipped()
    {
        var pattern = Pattern("  - text: { text: \"{{title}}\", end: 3 }\n  - text: { text: \"{{missing}}\" }\n  - speed: { factor: 2 }");
        var parameters = new Dictionary<string, string> { ["title"] = string.Concat(Enumerable.Repeat("word ", 2000)) };

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, null, parameters);

        var text = Assert.Single(plan.Texts);
        Assert.Equal(4, text.Text.Split('\n').Length);
        Assert.EndsWith("…", text.Text, StringComparison.Ordinal);
        Assert.Equal((0, 3, 86), (text.StartSeconds, text.EndSeconds, text.FontSize));
        Assert.Equal(5, plan.DurationSeconds, 6);
    }

    [Fact]
    public void Plan_CompliantSourceAndNoSteps_StreamCopy()
    {
        var pattern = Pattern("  - reframe: { mode: fit }", "youtube");

        Assert.True(RenderPlanner.Plan(pattern, pattern.Outputs[0], Source).StreamCopy);
        Assert.False(RenderPlanner.Plan(pattern, pattern.Outputs[0], Source with { FrameRate = 25 }).StreamCopy);
        Assert.False(RenderPlanner.Plan(pattern, pattern.Outputs[0], Source with { AudioCodec = "mp3" }).StreamCopy);
        Assert.False(RenderPlanner.Plan(pattern, pattern.Outputs[0], Source with { DurationSeconds = 13 * 3600 }).StreamCopy);
        var withText = Pattern("  - reframe: { mode: fit }\n  - text: { text: hi }", "youtube");
        Assert.False(RenderPlanner.Plan(withText, withText.Outputs[0], Source).StreamCopy);
    }

    [Fact]
    public void Plan_AutoReframe_FollowsAFaceWhenOneWasFoundElseCropsTheMiddle()
    {
        var pattern = Pattern("  - reframe: {}");
        var seen = new SourceAnalysis { Faces = new FaceTrack("m", 2, [new FaceSample(0, 0.7f, 0.2f, 0.1f, 0.2f, 0.9f), new FaceSample(0.5, 0, 0, 0, 0, 0)]) };
        var none = new SourceAnalysis { Faces = new FaceTrack("m", 2, [new FaceSample(0, 0, 0, 0, 0, 0)]) };

        var followed = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, seen);
        var centred = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, none);

        Assert.Equal(ReframeMode.Auto, pattern.Reframe);
        Assert.True(pattern.Steps.Needs.HasFlag(AnalysisNeeds.Faces));
        Assert.Equal((ReframeMode.Face, 1137), (followed.Reframe, (int)Math.Round(followed.FacePath!.OffsetAt(0))));
        Assert.Equal((ReframeMode.Center, null), (centred.Reframe, centred.FacePath));
        Assert.False(Pattern("  - reframe: { mode: center }").Steps.Needs.HasFlag(AnalysisNeeds.Faces));
    }

    [Fact]
    public void Plan_FaceReframe_PathFromTheTrack()
    {
        var pattern = Pattern("  - reframe: { mode: face }");
        var analysis = new SourceAnalysis { Faces = new FaceTrack("m", 2, [new FaceSample(0, 0.7f, 0.2f, 0.1f, 0.2f, 0.9f)]) };

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, analysis);

        Assert.Equal((606, 1080), (plan.FacePath!.CropWidth, plan.FacePath.CropHeight));
        // Centre 0.75 of 1920 = 1440, window 606 wide: left edge 1137.
        Assert.Equal(1137, plan.FacePath.OffsetAt(0), 0);
    }

    [Fact]
    public void Plan_SpeakerReframe_CutsBetweenTheTwoSpeakersAtTheTurn()
    {
        var pattern = Pattern("  - reframe: { mode: speaker }");
        // Two people at 20% and 80% of the width; the left one speaks 0.5-4 s, the right one 5-9.5 s.
        var left = new Media.Pipelines.Speakers.PersonTrack(1, [.. Enumerable.Range(0, 80).Select(i => new Media.Pipelines.Speakers.TrackPoint(i / 8.0, 0.15f, 0.3f, 0.1f, 0.2f, 1))]);
        var right = new Media.Pipelines.Speakers.PersonTrack(2, [.. Enumerable.Range(0, 80).Select(i => new Media.Pipelines.Speakers.TrackPoint(i / 8.0, 0.75f, 0.3f, 0.1f, 0.2f, 1))]);
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 10,
            Speech = new SpeechAnalysis("vad", [new TimeRange(0.5, 4), new TimeRange(5, 9.5)]),
            Faces = new FaceTrack("m", 8, [.. Enumerable.Range(0, 80).Select(i => new FaceSample(i / 8.0, 0.75f, 0.3f, 0.1f, 0.2f, 0.9f))]),
            People = new Media.Pipelines.Speakers.PeopleAnalysis(8, [left, right], [new(0.5, 4, 1, 1), new(5, 9.5, 2, 1)]),
        };

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, analysis);

        Assert.True(pattern.Steps.Needs.HasFlag(AnalysisNeeds.Speakers | AnalysisNeeds.Faces | AnalysisNeeds.Speech));
        Assert.Equal(ReframeMode.Face, plan.Reframe);
        // Left face centre 0.2 of 1920 = 384 -> window (606 wide) clamped at 81; right face centre 0.8 -> 1233.
        Assert.Equal(81, plan.FacePath!.OffsetAt(2), 0);
        Assert.Equal(1233, plan.FacePath.OffsetAt(7), 0);
        // A cut (two keyframes at one instant), 0.3 s before the right speaker's first word.
        var jump = plan.FacePath.Keyframes.Zip(plan.FacePath.Keyframes.Skip(1)).Single(k => k.Second.Time - k.First.Time < 0.002 && Math.Abs(k.Second.Offset - k.First.Offset) > 100);
        Assert.Equal(4.7, jump.Second.Time, 2);
    }

    [Fact]
    public void Plan_SplitLayout_StacksTheTwoPeopleInTheClipsRangeOnly()
    {
        var pattern = Pattern("  - reframe: { mode: speaker, layout: split }\n  - trim: { start: 2, end: 8 }");
        var left = new Media.Pipelines.Speakers.PersonTrack(1, [.. Enumerable.Range(0, 80).Select(i => new Media.Pipelines.Speakers.TrackPoint(i / 8.0, 0.15f, 0.3f, 0.1f, 0.2f, 1))]);
        var right = new Media.Pipelines.Speakers.PersonTrack(2, [.. Enumerable.Range(0, 80).Select(i => new Media.Pipelines.Speakers.TrackPoint(i / 8.0, 0.75f, 0.3f, 0.1f, 0.2f, 1))]);
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 10,
            Speech = new SpeechAnalysis("vad", [new TimeRange(0.5, 4)]),
            Faces = new FaceTrack("m", 8, [.. Enumerable.Range(0, 80).Select(i => new FaceSample(i / 8.0, 0.15f, 0.3f, 0.1f, 0.2f, 0.9f))]),
            People = new Media.Pipelines.Speakers.PeopleAnalysis(8, [left, right], [new(0.5, 4, 1, 1)]),
        };

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, analysis);
        var graph = string.Join(" ", RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4").ToArguments());

        var layout = plan.Layout!;
        Assert.Equal([new Media.Pipelines.Speakers.LayoutSpan(0, 10, Media.Pipelines.Speakers.LayoutKind.Split)], layout.Spans);
        // Windows of 960x852 with the faces' centres (0.2 and 0.8 of 1920) in the middle, clamped inside the frame.
        Assert.Equal((960, 852, 0.0, 960.0), (layout.Top.Width, layout.Top.Height, layout.Top.X.OffsetAt(5), layout.Bottom.X.OffsetAt(5)));
        // The clip's plan holds its own range of the windows' paths.
        Assert.Equal((2.0, 8.0), (layout.Top.X.Keyframes[0].Time, layout.Top.X.Keyframes[^1].Time));
        Assert.Contains("[lts][lbs]vstack=inputs=2[lst];[lcs][lst]overlay=x=0:y=0:enable=\\'gte(t\\,-0.0005)*lt(t\\,9.9995)\\'[vr]", graph, StringComparison.Ordinal);
        Assert.Contains("crop=w=960:h=852:x=0:y=", graph, StringComparison.Ordinal);
        Assert.Contains("scale=w=1080:h=960", graph, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SpeakerReframeOnAnAnalysisWithoutPeople_FollowsTheLargestFace()
    {
        // An analysis stored before speaker mode existed (a job upgraded between its stages) has no people.
        var speaker = Pattern("  - reframe: { mode: speaker }");
        var face = Pattern("  - reframe: { mode: face }");
        var analysis = new SourceAnalysis { Speech = new SpeechAnalysis("vad", []), Faces = new FaceTrack("m", 2, [new FaceSample(0, 0.7f, 0.2f, 0.1f, 0.2f, 0.9f)]) };

        var plan = RenderPlanner.Plan(speaker, speaker.Outputs[0], Source, analysis);

        Assert.Equal(RenderPlanner.Plan(face, face.Outputs[0], Source, analysis).FacePath!.Keyframes, plan.FacePath!.Keyframes);
        Assert.Equal(1137, plan.FacePath.OffsetAt(0), 0);
    }

    [Fact]
    public void Plan_AutoEmphasis_HighlightsTheTranscriptsKeywordsInTheAss()
    {
        var pattern = Pattern("  - captions: { emphasis: auto, style: minimal }");
        string[] said = ["the", "budget", "is", "the", "budget", "and", "money", "matters"];
        var analysis = Analysis(-20) with { Transcript = new Media.Pipelines.Speech.Transcript("pocketsphinx", "m", [.. said.Select((w, i) => new Media.Pipelines.Speech.Word(w, 1 + (i * 0.4), 1.3 + (i * 0.4), 0.8))]) };

        var plan = RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, analysis);
        var ass = Media.Pipelines.Captions.AssWriter.Write(plan.Captions!.Captions, plan.Captions.Step, 1080, 1920, plan.Captions.Emphasis, Media.Pipelines.Fonts.TextWidths.Default);

        Assert.Equal(["budget"], plan.Captions.Emphasis);
        Assert.Contains("{\\c&H00D4FF&}budget{\\r}", ass, StringComparison.Ordinal);
        Assert.DoesNotContain("}the{", ass, StringComparison.Ordinal);
    }
}
