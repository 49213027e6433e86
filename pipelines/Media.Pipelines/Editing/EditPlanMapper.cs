using Media.Pipelines.Captions;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;

namespace Media.Pipelines.Editing;

/// <summary>
/// The edit plan and the render plan, both ways. The planner's decisions become the document (<see cref="From"/>); the
/// render compiler only ever gets what <see cref="ToRenderPlan"/> makes of a document, the first render's and every
/// revision's alike, so the plan a client reads is exactly the plan that was rendered.
/// </summary>
public static class EditPlanMapper
{
    public const string Center = "center";
    public const string Crop = "crop";
    public const string Fit = "fit";
    public const string BlurFill = "blurFill";

    /// <summary>The kinds of a layout span (<see cref="EditLayoutSpan.Layout"/>).</summary>
    public const string Split = "split";
    public const string Wide = "wide";

    public static EditPlan From(RenderPlan plan, MediaProbe source) => new()
    {
        Output = plan.OutputName,
        Source = new EditSource(source.DisplayWidth, source.DisplayHeight, Math.Round(source.DurationSeconds, 3), source.HasAudio),
        Width = plan.Width,
        Height = plan.Height,
        Preset = plan.Preset.Name,
        Hardware = plan.Hardware == OutputHardware.Gpu ? "gpu" : "cpu",
        Speed = plan.Speed,
        Ranges = [.. plan.Segments.Select(s => new EditRange(s.Start, s.End) { Speed = s.Speed, Zoom = s.Zoom })],
        Reframe = plan.Reframe switch
        {
            ReframeMode.Face when plan.FacePath is { } path => new EditReframe(Crop) { Crop = CropOf(path, source), Layout = plan.Layout is { } layout ? LayoutOf(layout) : null },
            ReframeMode.Fit => new EditReframe(Fit),
            ReframeMode.BlurFill => new EditReframe(BlurFill),
            _ => new EditReframe(Center),
        },
        Captions = plan.Captions is { } captions ? CaptionsOf(captions) : null,
        Texts = [.. plan.Texts.Select(t => new EditText(t.Text, t.StartSeconds, t.EndSeconds, t.FontSize, t.Color, Name(t.Position)) { BoxColor = t.BoxColor })],
        Logo = plan.Logo is { } logo ? new EditLogo(StoredMediaReference.Of(logo.SourceKey), Name(logo.Position), logo.WidthPixels, logo.Opacity, logo.MarginPixels) : null,
        Music = plan.Music is { } music ? new EditMusic(StoredMediaReference.Of(music.SourceKey), music.VolumeDb, music.FadeInSeconds, music.FadeOutSeconds, music.Duck) : null,
        Intro = plan.Intro is { } intro ? new EditBookend(StoredMediaReference.Of(intro.SourceKey), intro.DurationSeconds, intro.HasAudio) : null,
        Outro = plan.Outro is { } outro ? new EditBookend(StoredMediaReference.Of(outro.SourceKey), outro.DurationSeconds, outro.HasAudio) : null,
        Loudness = new EditLoudness { GainDb = plan.GainDb, PeakLimit = plan.PeakLimit },
        StreamCopy = plan.StreamCopy,
        Truncated = plan.Truncated,
    };

    /// <summary>The render plan of a valid document (see <see cref="EditPlanValidator"/>).</summary>
    public static RenderPlan ToRenderPlan(EditPlan plan)
    {
        var segments = plan.Ranges.Select(r => new PlannedSegment(r.Start, r.End, r.Zoom) { Speed = r.Speed }).ToList();
        return new RenderPlan
        {
            OutputName = plan.FileBase,
            Width = plan.Width,
            Height = plan.Height,
            Reframe = plan.Reframe.Mode switch
            {
                Crop => ReframeMode.Face,
                Fit => ReframeMode.Fit,
                BlurFill => ReframeMode.BlurFill,
                _ => ReframeMode.Center,
            },
            Preset = EncodePreset.Find(plan.Preset) ?? throw new InvalidDataException($"Unknown preset '{plan.Preset}'."),
            Hardware = plan.Hardware == "gpu" ? OutputHardware.Gpu : OutputHardware.Cpu,
            Segments = segments,
            FacePath = plan.Reframe.Crop is { } crop ? PathOf(crop, plan.Source) : null,
            Layout = plan.Reframe is { Crop: not null, Layout: { Spans.Count: > 0 } layout } ? LayoutOf(layout) : null,
            Texts = [.. plan.Texts.Select(t => new PlannedText(t.Text, t.Start, t.End, t.FontSize, t.Color, t.BoxColor, Enum.Parse<TextPosition>(t.Position, ignoreCase: true)))],
            Speed = plan.Speed,
            Captions = plan.Captions is { } captions ? PlanCaptions(captions, segments, plan.Speed) : null,
            Logo = plan.Logo is { } logo ? new PlannedLogo(Key(logo.Source), Enum.Parse<Corner>(logo.Position, ignoreCase: true), logo.Width, logo.Opacity, logo.Margin) : null,
            Music = plan.Music is { } music ? new PlannedMusic(Key(music.Source), music.VolumeDb, music.FadeInSeconds, music.FadeOutSeconds, music.Duck) : null,
            Intro = plan.Intro is { } intro ? new PlannedBookend(Key(intro.Source), intro.DurationSeconds, intro.HasAudio) : null,
            Outro = plan.Outro is { } outro ? new PlannedBookend(Key(outro.Source), outro.DurationSeconds, outro.HasAudio) : null,
            GainDb = plan.Loudness.GainDb,
            PeakLimit = plan.Loudness.PeakLimit,
            SourceHasAudio = plan.Source.HasAudio,
            StreamCopy = plan.StreamCopy,
            Truncated = plan.Truncated,
        };
    }

    /// <summary>Which way the crop window moves: along x when it spans the source's whole height.</summary>
    public static bool MovesHorizontally(EditCrop crop, EditSource source) => crop.Height >= source.Height;

    // A face path's offsets (the window's left or top edge on the axis it moves along) as window centres.
    private static EditCrop CropOf(CropPath path, MediaProbe source) => new(
        path.CropWidth,
        path.CropHeight,
        [.. path.Keyframes.Select(k => path.Horizontal
            ? new EditKeyframe(k.Time, k.Offset + (path.CropWidth / 2.0), source.DisplayHeight / 2.0)
            : new EditKeyframe(k.Time, source.DisplayWidth / 2.0, k.Offset + (path.CropHeight / 2.0)))]);

    private static CropPath PathOf(EditCrop crop, EditSource source)
    {
        var horizontal = MovesHorizontally(crop, source);
        return new CropPath(crop.Width, crop.Height, horizontal, [.. crop.Keyframes.Select(k => new CropKeyframe(k.Time, horizontal ? k.X - (crop.Width / 2.0) : k.Y - (crop.Height / 2.0)))]);
    }

    // The layout's windows as centres moving on both axes (their offsets are the windows' left and top edges).
    private static EditLayout LayoutOf(SplitLayout layout)
    {
        static List<EditKeyframe> Centres(MovingWindow window) =>
            [.. window.X.Keyframes.Select(k => k.Time).Concat(window.Y.Keyframes.Select(k => k.Time)).Distinct().Order()
                .Select(t => new EditKeyframe(t, Math.Round(window.X.OffsetAt(t) + (window.Width / 2.0), 2), Math.Round(window.Y.OffsetAt(t) + (window.Height / 2.0), 2)))];

        return new EditLayout(
            layout.Top.Width,
            layout.Top.Height,
            [.. layout.Spans.Select(s => new EditLayoutSpan(s.Start, s.End, s.Kind == Speakers.LayoutKind.Split ? Split : Wide))],
            Centres(layout.Top),
            Centres(layout.Bottom));
    }

    private static SplitLayout LayoutOf(EditLayout layout)
    {
        MovingWindow Window(IReadOnlyList<EditKeyframe> keyframes) => new(
            new CropPath(layout.Width, layout.Height, true, [.. keyframes.Select(k => new CropKeyframe(k.Time, k.X - (layout.Width / 2.0)))]),
            new CropPath(layout.Width, layout.Height, false, [.. keyframes.Select(k => new CropKeyframe(k.Time, k.Y - (layout.Height / 2.0)))]));

        return new SplitLayout(
            Window(layout.Top),
            Window(layout.Bottom),
            [.. layout.Spans.Select(s => new Speakers.LayoutSpan(s.Start, s.End, s.Layout == Split ? Speakers.LayoutKind.Split : Speakers.LayoutKind.Wide))]);
    }

    private static EditCaptions CaptionsOf(PlannedCaptions planned)
    {
        var shown = planned.Captions.SelectMany(c => c.Lines.SelectMany((line, l) => line.Select((w, i) =>
            (Word: w, Break: i < line.Count - 1 ? string.Empty : l < c.Lines.Count - 1 ? "line" : "caption")))).ToList();
        var sources = planned.SourceWords.Count == shown.Count ? planned.SourceWords : shown.Select(s => s.Word).ToList();
        return new EditCaptions
        {
            Style = new EditCaptionStyle(Name(planned.Step.Style), Name(planned.Step.Position), planned.Step.Size, planned.Step.Color, planned.Step.Highlight),
            Emphasis = [.. planned.Emphasis.Order(StringComparer.Ordinal)],
            Backend = planned.Transcript.Backend,
            Model = planned.Transcript.Model,
            ScriptAligned = planned.Transcript.ScriptAligned,
            Words = [.. shown.Select((s, i) => new EditWord(i, s.Word.Text, Math.Round(sources[i].Start, 3), Math.Round(sources[i].End, 3))
            {
                Confidence = Math.Round(s.Word.Confidence, 3),
                // The last word ends its caption anyway.
                Break = i == shown.Count - 1 ? string.Empty : s.Break,
            })],
        };
    }

    private static PlannedCaptions PlanCaptions(EditCaptions captions, IReadOnlyList<PlannedSegment> segments, double speed)
    {
        var source = captions.Words.Select(w => new Word(w.Text, w.Start, w.End, w.Confidence)).ToList();
        var breaks = captions.Words.Select(w => w.Break switch { "line" => CaptionBreak.Line, "caption" => CaptionBreak.Caption, _ => CaptionBreak.None }).ToList();
        var mapped = PlannedCaptions.Map(source, segments, speed);
        var kept = mapped.Select(p => (p.Output, Break: breaks[p.Index])).ToList();
        var step = new CaptionsStep
        {
            Style = Enum.Parse<CaptionStyle>(captions.Style.Style, ignoreCase: true),
            Position = Enum.Parse<CaptionPosition>(captions.Style.Position, ignoreCase: true),
            Size = captions.Style.Size,
            Color = captions.Style.Color,
            Highlight = captions.Style.Highlight,
        };
        var words = kept.Select(k => k.Output).ToList();
        return new PlannedCaptions(step, CaptionLayout.FromBreaks(kept), words, new Transcript(captions.Backend, captions.Model, source, captions.ScriptAligned), captions.Emphasis.ToHashSet(StringComparer.Ordinal))
        {
            SourceWords = source,
        };
    }

    private static string Key(string reference) => StoredMediaReference.KeyOf(reference, "stored file") ?? throw new InvalidDataException("An empty stored-file reference.");

    /// <summary>An enum value as the document writes it: camelCase ("lowerThird", "topRight").</summary>
    public static string Name<T>(T value)
        where T : struct, Enum
    {
        var text = value.ToString();
        return char.ToLowerInvariant(text[0]) + text[1..];
    }
}
