using Media.Pipelines.Analysis;
using Media.Pipelines.Editing;
using Media.Pipelines.Json;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Editing;

/// <summary>The edit plan as a document: lossless for the render, strict when read, checked by path, edited by transcript.</summary>
public sealed class EditPlanTests : IDisposable
{
    private static readonly MediaProbe Source = new()
    {
        DurationSeconds = 12, HasVideo = true, Width = 1920, Height = 1080, FrameRate = 30, VideoCodec = "h264", HasAudio = true, AudioCodec = "aac",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("edit-plan-").FullName;

    // Speech in three sentences, a face drifting right, loudness, one scene cut, two clips: enough for every built-in pattern.
    private static SourceAnalysis Analysis()
    {
        string[] said = ["so", "here", "is", "the", "thing.", "nobody", "tells", "you", "this", "part.", "watch", "it", "now."];
        var words = said.Select((w, i) => new Word(w, 0.5 + (i * 0.8) + (i >= 5 ? 0.9 : 0) + (i >= 10 ? 0.9 : 0), 0.5 + (i * 0.8) + 0.6 + (i >= 5 ? 0.9 : 0) + (i >= 10 ? 0.9 : 0), 0.8)).ToList();
        return new SourceAnalysis
        {
            DurationSeconds = 12,
            Loudness = new LoudnessAnalysis(-22, 0.1, Enumerable.Repeat(-22.0, 120).ToList()),
            Speech = new SpeechAnalysis("vad", [new TimeRange(0.4, 4.6), new TimeRange(5.3, 9.4), new TimeRange(10.0, 11.9)]),
            Transcript = new Transcript("pocketsphinx", "en-us", words),
            Faces = new FaceTrack("blazeface", 2, [.. Enumerable.Range(0, 24).Select(i => new FaceSample(i * 0.5, 0.3f + (i * 0.01f), 0.3f, 0.15f, 0.3f, 0.9f))]),
            SceneCuts = [6.0],
            Clips = [new ClipChoice(0.4, 4.6, 0.8, 1, "hook"), new ClipChoice(5.3, 9.4, 0.6, 2, "hook")],
        };
    }

    public static TheoryData<string> Patterns() => [.. new PatternLibrary().All.Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task StoredPlan_OfEveryBuiltInPattern_RendersTheSameCommandAndFiles(string name)
    {
        var pattern = new PatternLibrary().Find(name)!;
        var parameters = new Dictionary<string, string> { ["title"] = "Five things {\\b1} nobody tells you" };
        foreach (var output in pattern.Outputs)
        {
            var direct = RenderPlanner.Plan(pattern, output, Source, Analysis(), parameters, pattern.Steps.Clips is null ? null : 1);

            var document = StrictJson.Write(EditPlanMapper.From(direct, Source));
            var stored = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(document));

            var font = Path.Combine(_folder, "font.ttf");
            await File.WriteAllTextAsync(font, "not read");
            var left = Directory.CreateDirectory(Path.Combine(_folder, name + output.Name + "a")).FullName;
            var right = Directory.CreateDirectory(Path.Combine(_folder, name + output.Name + "b")).FullName;
            var a = await RenderFiles.WriteAsync(direct, left, font, CancellationToken.None);
            var b = await RenderFiles.WriteAsync(stored, right, font, CancellationToken.None);
            Assert.Equal(Arguments(direct, a, left), Arguments(stored, b, right));
            foreach (var (first, second) in a.CaptionFiles.Zip(b.CaptionFiles).Where(p => !p.First.EndsWith(".words.json", StringComparison.Ordinal)))
            {
                Assert.Equal(await File.ReadAllTextAsync(first), await File.ReadAllTextAsync(second));
            }

            Assert.Equal(direct.DurationSeconds, stored.DurationSeconds, 9);
        }
    }

    [Fact]
    public void Read_UnknownFieldsWrongTypesMissingFields_EveryOneByPath()
    {
        var plan = Planned("tiktok-talking-head");
        var json = System.Text.Json.Nodes.JsonNode.Parse(StrictJson.Write(plan))!.AsObject();
        json["titel"] = "typo";
        json["ranges"]![0]!.AsObject()["strat"] = 1;
        json["ranges"]![0]!["end"] = "soon";
        json["captions"]!["words"]![0]!.AsObject().Remove("text");
        json["speed"] = null;

        var (revised, problems) = EditPlanRevision.Prepare(json.ToJsonString(), plan, 2);

        Assert.Null(revised);
        Assert.Contains(problems, p => p.Path == "plan.titel" && p.Reason.StartsWith("is not a field", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Path == "plan.ranges[0].strat");
        Assert.Contains(problems, p => p.Path == "plan.ranges[0].end" && p.Reason == "must be a number");
        Assert.Contains(problems, p => p.Path == "plan.captions.words[0].text" && p.Reason == "is required");
        Assert.Contains(problems, p => p.Path == "plan.speed" && p.Reason == "must not be null");
    }

    [Fact]
    public void Validate_RangesWordsCropTextsAndFrozenFields_NamedByPath()
    {
        var plan = Planned("tiktok-talking-head");
        var crop = plan.Reframe.Crop!;
        var edited = plan with
        {
            Width = 720,
            Ranges = [new EditRange(3, 2), new EditRange(1, 14)],
            Reframe = plan.Reframe with { Crop = crop with { Keyframes = [crop.Keyframes[0] with { X = 10 }] } },
            Texts = [plan.Texts[0] with { End = 400 }],
            Captions = plan.Captions! with { Words = [plan.Captions.Words[0] with { Start = 0, End = 0.1 }] },
        };

        var problems = EditPlanValidator.Validate(edited, plan).ToDictionary(p => p.Path, p => p.Reason);

        Assert.Contains("cannot change", problems["plan.width"], StringComparison.Ordinal);
        Assert.Equal("must be at least 0.04 s after start", problems["plan.ranges[0].end"]);
        Assert.Contains("overlaps or precedes range 0", problems["plan.ranges[1].start"], StringComparison.Ordinal);
        Assert.Contains("past the end of the source", problems["plan.ranges[1].end"], StringComparison.Ordinal);
        Assert.Contains("outside the frame", problems["plan.reframe.crop.keyframes[0].x"], StringComparison.Ordinal);
        Assert.Contains("past the end of the edit", problems["plan.texts[0].end"], StringComparison.Ordinal);
        Assert.Contains("outside the kept ranges", problems["plan.captions.words[0]"], StringComparison.Ordinal);
        Assert.Empty(EditPlanValidator.Validate(plan, plan));
    }

    [Fact]
    public void Layout_RoundTripsThroughTheDocument_AndIsCheckedByPath()
    {
        var window = new MovingWindow(
            new CropPath(960, 852, true, [new(0, 0), new(4, 100), new(4.0005, 900), new(12, 900)]),
            new CropPath(960, 852, false, [new(0, 100), new(6, 200), new(12, 200)]));
        var plan = new RenderPlan
        {
            OutputName = "o",
            Width = 1080,
            Height = 1920,
            Reframe = ReframeMode.Face,
            Preset = EncodePreset.TikTok,
            Segments = [new PlannedSegment(0, 12, 1)],
            SourceHasAudio = true,
            FacePath = new CropPath(606, 1080, true, [new(0, 500)]),
            Layout = new SplitLayout(window, window, [new(1, 5, Media.Pipelines.Speakers.LayoutKind.Split), new(7, 9, Media.Pipelines.Speakers.LayoutKind.Wide)]),
        };

        var document = EditPlanMapper.From(plan, Source);
        var back = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(StrictJson.Write(document))).Layout!;

        Assert.Equal([new EditLayoutSpan(1, 5, "split"), new EditLayoutSpan(7, 9, "wide")], document.Reframe.Layout!.Spans);
        Assert.Equal(plan.Layout.Spans, back.Spans);
        foreach (var t in new[] { 0.0, 2.5, 3.9999, 4.001, 5.5, 11 })
        {
            Assert.Equal(window.X.OffsetAt(t), back.Top.X.OffsetAt(t), 1);
            Assert.Equal(window.Y.OffsetAt(t), back.Bottom.Y.OffsetAt(t), 1);
        }

        Assert.Empty(EditPlanValidator.Validate(document, document));
        var layout = document.Reframe.Layout;
        var edited = document with
        {
            Reframe = document.Reframe with
            {
                Layout = layout with
                {
                    Width = 900,
                    Spans = [new EditLayoutSpan(1, 5, "grid"), new EditLayoutSpan(4, 30, "split")],
                    Top = [layout.Top[0] with { X = 10 }],
                    Bottom = [],
                },
            },
        };
        var problems = EditPlanValidator.Validate(edited, document).ToDictionary(p => p.Path, p => p.Reason);

        Assert.Contains("must be 960x852", problems["plan.reframe.layout"], StringComparison.Ordinal);
        Assert.Equal("must be split or wide", problems["plan.reframe.layout.spans[0].layout"]);
        Assert.Contains("inside the source", problems["plan.reframe.layout.spans[1]"], StringComparison.Ordinal);
        Assert.Contains("previous span's end", problems["plan.reframe.layout.spans[1].start"], StringComparison.Ordinal);
        Assert.Contains("outside the frame", problems["plan.reframe.layout.top[0].x"], StringComparison.Ordinal);
        Assert.Equal("must have at least one keyframe", problems["plan.reframe.layout.bottom"]);
        Assert.Equal("is only for mode crop", EditPlanValidator.Validate(document with { Reframe = new EditReframe("center") { Layout = layout } }, document).Single().Reason);
        // Keyframes closer than the render writes times (0.1 ms) would lose the jump between them.
        var close = document with { Reframe = document.Reframe with { Layout = layout with { Top = [layout.Top[0], layout.Top[0] with { Time = layout.Top[0].Time + 0.0001 }] } } };
        Assert.Equal(("plan.reframe.layout.top[1].time", "must be at least 0.0004 s after the keyframe before"), EditPlanValidator.Validate(close, document).Select(p => (p.Path, p.Reason)).Single());
    }

    [Fact]
    public void Prepare_DeletedSentence_IsCutWithPaddingAndKeptWordsKeepTheirTimes()
    {
        var plan = Planned("captions-only");
        var words = plan.Captions!.Words;
        var second = words.Where(w => w.Id is >= 5 and <= 9).ToList();
        var edited = plan with
        {
            Captions = plan.Captions with
            {
                Words = [.. words.Where(w => w.Id is < 5 or > 9).Select(w => w.Id == 0 ? w with { Text = "Sew" } : w)],
            },
        };

        var (revised, problems) = EditPlanRevision.Prepare(StrictJson.Write(edited), plan, 2);

        Assert.Empty(problems);
        var before = words[4];
        var after = words[10];
        var cutStart = Math.Max(before.End + TranscriptEdits.Padding, (before.End + second[0].Start) / 2);
        var cutEnd = Math.Min(after.Start - TranscriptEdits.Padding, (second[^1].End + after.Start) / 2);
        Assert.Equal(2, revised!.Revision);
        Assert.Equal(Length(plan) - (cutEnd - cutStart), Length(revised), 6);
        Assert.DoesNotContain(revised.Ranges, r => r.Start < second[2].Start && r.End > second[2].End);
        Assert.Equal(("Sew", words[0].Start, words[0].End), (revised.Captions!.Words[0].Text, revised.Captions.Words[0].Start, revised.Captions.Words[0].End));
        var render = EditPlanMapper.ToRenderPlan(revised);
        Assert.DoesNotContain(render.Captions!.Captions.SelectMany(c => c.Words), w => second.Any(s => s.Text.Equals(w.Text, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Prepare_NewLineBreak_IsRespected()
    {
        var plan = Planned("captions-only");
        var words = plan.Captions!.Words.Select(w => w.Id == 1 ? w with { Break = "line" } : w).ToList();

        var (revised, problems) = EditPlanRevision.Prepare(StrictJson.Write(plan with { Captions = plan.Captions with { Words = words } }), plan, 2);

        Assert.Empty(problems);
        var first = EditPlanMapper.ToRenderPlan(revised!).Captions!.Captions[0];
        Assert.Equal(2, first.Lines[0].Count);
    }

    private static EditPlan Planned(string name)
    {
        var pattern = new PatternLibrary().Find(name)!;
        return EditPlanMapper.From(RenderPlanner.Plan(pattern, pattern.Outputs[0], Source, Analysis(), new Dictionary<string, string> { ["title"] = "A title" }), Source);
    }

    private static double Length(EditPlan plan) => plan.Ranges.Sum(r => (r.End - r.Start) / r.Speed) / plan.Speed;

    private static IReadOnlyList<string> Arguments(RenderPlan plan, RenderFiles.Written files, string folder) =>
        [.. RenderCommandBuilder.Build(plan, "in.mp4", "out.mp4", files.Assets with { LogoPath = "logo.png", MusicPath = "music.m4a", IntroPath = "intro.mp4", OutroPath = "outro.mp4" })
            .ToArguments().Select(a => a.Replace(folder, "<dir>", StringComparison.Ordinal))];

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
