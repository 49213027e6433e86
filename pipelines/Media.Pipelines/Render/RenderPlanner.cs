using Media.Pipelines.Analysis;
using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Speakers;
using Media.Pipelines.Text;

namespace Media.Pipelines.Render;

/// <summary>Pattern + output + probed source + analysis + job parameters -> an immutable render plan. No I/O.</summary>
public static class RenderPlanner
{
    /// <param name="clip">Fan-out patterns (a clips step): which clip, 1 = best.</param>
    /// <param name="bookends">Intro/outro clips probed by the caller, by object key (see <see cref="BookendKeys"/>).</param>
    public static RenderPlan Plan(
        Pattern pattern,
        PatternOutput output,
        MediaProbe source,
        SourceAnalysis? analysis = null,
        IReadOnlyDictionary<string, string>? parameters = null,
        int? clip = null,
        IReadOnlyDictionary<string, MediaProbe>? bookends = null,
        TextWidths? widths = null)
    {
        parameters ??= new Dictionary<string, string>();
        widths ??= TextWidths.Default;
        if (!source.HasVideo)
        {
            throw new InvalidMediaException($"Pattern '{pattern.Name}' needs a video stream; the source has only audio.");
        }

        var steps = pattern.Steps;
        var needs = steps.Needs;
        if (needs != AnalysisNeeds.None && (analysis is null
            || (needs.HasFlag(AnalysisNeeds.Loudness) && analysis.Loudness is null)
            || (needs.HasFlag(AnalysisNeeds.Speech) && analysis.Speech is null)
            || (needs.HasFlag(AnalysisNeeds.Faces) && analysis.Faces is null)))
        {
            throw new InvalidOperationException($"Pattern '{pattern.Name}' needs an analysis with {needs}; the render got none or an incomplete one.");
        }

        ClipChoice? window = null;
        if (clip is { } rank)
        {
            window = analysis?.Clips?.FirstOrDefault(c => c.Rank == rank)
                ?? throw new ClipNotAvailableException($"The source has no clip {rank}: the analysis found {analysis?.Clips?.Count ?? 0} for pattern '{pattern.Name}'.");
        }

        var outputName = clip is { } k ? ClipOutputName(output.Name, k) : output.Name;
        var (introKey, outroKey) = BookendKeys(pattern, parameters);
        var intro = Bookend(introKey, bookends, "intro");
        var outro = Bookend(outroKey, bookends, "outro");
        var room = output.Preset.MaxDurationSeconds - (intro?.DurationSeconds ?? 0) - (outro?.DurationSeconds ?? 0);
        if (room < 1)
        {
            throw new InvalidMediaException($"The intro and outro take {output.Preset.MaxDurationSeconds - room:0.#} s of the {output.Preset.MaxDurationSeconds} s the '{output.Preset.Name}' preset allows; nothing is left for the edit.");
        }

        var segments = SegmentPlanner.Plan(steps, source.DurationSeconds, analysis?.Speech, room, window, analysis?.Transcript?.Words);
        var kept = segments.Sum(s => s.OutputDuration);
        // Loudness is set by what plays at normal speed (sped-up pauses are quiet anyway).
        var keptRanges = segments.Where(s => s.Speed == 1).Select(s => new TimeRange(s.Start, s.End)).ToList();
        var fullLength = window is not null
            ? window.End - window.Start
            : Math.Min(source.DurationSeconds, steps.Trim?.EndSeconds ?? double.MaxValue) - (steps.Trim?.StartSeconds ?? 0);

        double? gain = null;
        if (steps.Loudness is { } loudness && source.HasAudio && analysis?.Loudness is { } measured)
        {
            var integrated = LoudnessMath.Integrated(measured, keptRanges);
            var correction = analysis.LoudnessCorrections?.GetValueOrDefault(outputName) ?? 0;
            gain = double.IsNaN(integrated) ? null : Math.Round(Math.Clamp(loudness.TargetLufs - integrated + correction, -30, 30), 2);
        }

        var outputDuration = kept / steps.Speed;
        var reframe = steps.Reframe.Mode switch
        {
            ReframeMode.Auto or ReframeMode.Speaker => analysis?.Faces?.Samples.Any(s => s.Score > 0) == true ? ReframeMode.Face : ReframeMode.Center,
            var mode => mode,
        };
        var from = segments.Count > 0 ? segments.Min(s => s.Start) : 0;
        var to = segments.Count > 0 ? segments.Max(s => s.End) : source.DurationSeconds;
        var plan = new RenderPlan
        {
            OutputName = outputName,
            Width = output.Width,
            Height = output.Height,
            Reframe = reframe,
            Preset = output.Preset,
            Hardware = output.Hardware,
            Segments = segments,
            // The face path over the source span this output takes (a clip's plan holds its own keyframes only).
            FacePath = reframe == ReframeMode.Face
                ? FacePath(steps.Reframe, analysis!, source.DisplayWidth, source.DisplayHeight, (double)output.Width / output.Height).Within(from, to)
                : null,
            Layout = reframe == ReframeMode.Face && analysis?.People is { } people
                ? SplitLayoutPlanner.Plan(people, steps.Reframe, analysis.DurationSeconds, analysis.SceneCuts ?? [], source.DisplayWidth, source.DisplayHeight, output.Width, output.Height)?.Within(from, to)
                : null,
            Texts = Texts(steps.Texts, parameters, output, outputDuration, widths),
            Speed = steps.Speed,
            Captions = steps.Captions is { } captionsStep && analysis?.Transcript is { } transcript
                ? PlanCaptions(captionsStep, transcript, segments, steps.Speed, output, parameters, steps.JumpCuts?.Fillers ?? [], widths)
                : null,
            Intro = intro,
            Outro = outro,
            Logo = steps.Logo is { } logo && StoredMediaReference.KeyOf(MergeFields.Render(logo.Source, parameters), "logo") is { } logoKey
                ? new PlannedLogo(logoKey, logo.Position, Even(output.Width * logo.Width), logo.Opacity, (int)Math.Round(output.Width * logo.Margin))
                : null,
            Music = steps.Music is { } music && StoredMediaReference.KeyOf(MergeFields.Render(music.Source, parameters), "music") is { } musicKey
                ? new PlannedMusic(musicKey, music.VolumeDb, music.FadeInSeconds, music.FadeOutSeconds, music.Duck)
                : null,
            GainDb = gain,
            PeakLimit = steps.Loudness is { } l ? Math.Round(Math.Pow(10, l.TruePeakDb / 20), 4) : 1,
            SourceHasAudio = source.HasAudio,
            Truncated = kept < fullLength - 0.05 && steps.JumpCuts is null,
        };
        return plan with { StreamCopy = CanCopy(plan, steps, source) };
    }

    private static List<PlannedText> Texts(IReadOnlyList<TextOverlay> overlays, IReadOnlyDictionary<string, string> parameters, PatternOutput output, double outputDuration, TextWidths widths)
    {
        var planned = new List<PlannedText>();
        foreach (var overlay in overlays)
        {
            var text = MergeFields.Render(overlay.Text, parameters).Trim();
            var end = Math.Min(overlay.EndSeconds ?? outputDuration, outputDuration);
            if (text.Length == 0 || overlay.StartSeconds >= end)
            {
                continue; // a title nobody filled in, or text after the end: nothing to draw
            }

            var fontSize = Math.Max(12, (int)Math.Round(output.Height * overlay.Size));
            var maxWidth = (SafeArea.For(output.Width, output.Height).Width * 0.98) - (2 * TitleScript.Border(fontSize, overlay.BoxColor is not null));
            planned.Add(new PlannedText(
                PlannedText.Wrap(text, fontSize, maxWidth, widths),
                overlay.StartSeconds,
                end,
                fontSize,
                overlay.Color,
                overlay.BoxColor,
                overlay.Position));
        }

        return planned;
    }

    private static PlannedCaptions PlanCaptions(CaptionsStep step, Speech.Transcript transcript, IReadOnlyList<PlannedSegment> segments, double speed, PatternOutput output, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<string> fillers, TextWidths widths)
    {
        // Fillers cut from the video are not captioned either (also one whose sound was too short to cut).
        var said = fillers.Count == 0 ? transcript.Words : [.. transcript.Words.Where(w => !fillers.Contains(Speech.WordText.Normalize(w.Text)))];
        var mapped = PlannedCaptions.Map(said, segments, speed);
        var words = mapped.Select(p => p.Output).ToList();
        // Lines break where the drawn glyphs reach the safe area (plus the author's character limit, when set).
        var geometry = CaptionGeometry.For(step, output.Width, output.Height);
        var layout = new CaptionLayout
        {
            MaxChars = step.MaxChars,
            LineWidth = line => geometry.LineWidth(line, widths),
            MaxLineWidth = geometry.MaxLineWidth,
            MaxLines = step.MaxLines,
            Casing = step.Casing,
        };
        var requested = MergeFields.Render(step.Emphasis, parameters).Trim();
        var emphasis = requested == CaptionsStep.AutoEmphasis
            ? Publishing.Keywords.ForCaptions(transcript, segments.Sum(s => s.OutputDuration) / speed)
            : requested.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).SelectMany(Speech.WordText.Split).ToHashSet(StringComparer.Ordinal);
        var captions = layout.Build(words);

        // The laid-out words are the kept words in order (those with text), so each finds its source word.
        var sources = mapped.Where(p => p.Output.Text.Trim().Length > 0).Select(p => p.Source).ToList();
        var shown = captions.SelectMany(c => c.Words).ToList();
        var sourceWords = shown.Count == sources.Count ? shown.Zip(sources, (w, s) => s with { Text = w.Text }).ToList() : [];
        return new PlannedCaptions(step, captions, words, transcript, emphasis) { SourceWords = sourceWords };
    }

    /// <summary>The object keys of a pattern's intro and outro for these parameters (null: none), to fetch and probe before planning.</summary>
    public static (string? Intro, string? Outro) BookendKeys(Pattern pattern, IReadOnlyDictionary<string, string> parameters) =>
        (pattern.Steps.Intro is { } intro ? StoredMediaReference.KeyOf(MergeFields.Render(intro, parameters), "intro") : null,
         pattern.Steps.Outro is { } outro ? StoredMediaReference.KeyOf(MergeFields.Render(outro, parameters), "outro") : null);

    private static PlannedBookend? Bookend(string? key, IReadOnlyDictionary<string, MediaProbe>? probes, string what)
    {
        if (key is null)
        {
            return null;
        }

        var probe = probes?.GetValueOrDefault(key) ?? throw new InvalidOperationException($"The {what} 'blob:{key}' was not probed before planning.");
        return probe.HasVideo && probe.DurationSeconds > 0
            ? new PlannedBookend(key, Math.Round(probe.DurationSeconds, 3), probe.HasAudio)
            : throw new InvalidMediaException($"The {what} 'blob:{key}' has no video to play.");
    }

    /// <summary>
    /// The crop path over the whole source: the largest face's, or in speaker mode the active speaker's with cuts at
    /// changes of person (an analysis made before speaker mode existed has no people: the largest face, as face mode).
    /// </summary>
    public static CropPath FacePath(ReframeStep reframe, SourceAnalysis analysis, int sourceWidth, int sourceHeight, double outputAspect)
    {
        var faces = analysis.Faces!;
        var cuts = analysis.SceneCuts ?? [];
        if (reframe.Mode == ReframeMode.Speaker && analysis.People is { } people)
        {
            var (horizontal, window) = FacePathPlanner.Axis(sourceWidth, sourceHeight, outputAspect);
            var shots = SpeakerShots.Plan(people.Turns, analysis.DurationSeconds, cuts, reframe.MinShotSeconds);
            (faces, var switches) = SpeakerFollow.Follow(people, shots, faces, window, horizontal);
            cuts = [.. cuts.Concat(switches).Order()];
        }

        return FacePathPlanner.Plan(faces, sourceWidth, sourceHeight, outputAspect, reframe.MaxPanPerSecond, reframe.DeadZone, cuts);
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Round(value / 2) * 2);

    /// <summary>The name of one clip of a fan-out output: "vertical-clip2".</summary>
    public static string ClipOutputName(string output, int clip) => $"{output}-clip{clip}";

    // Copy only what is already deliverable as is: H.264 at the preset's size and rate, AAC audio, within the
    // length limit, upright, and no step that changes a frame or a sample.
    private static bool CanCopy(RenderPlan plan, EditSteps steps, MediaProbe source) =>
        steps.IsPlain && plan.IsWholeSource && !plan.Truncated
        && source.VideoCodec == "h264" && source.Rotation == 0
        && source.Width == plan.Width && source.Height == plan.Height
        && Math.Abs(source.FrameRate - plan.Preset.FrameRate) < 0.01
        && source.HasAudio && source.AudioCodec == "aac";
}
