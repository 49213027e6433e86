using System.Globalization;
using System.Text.RegularExpressions;
using Media.Pipelines.Captions;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Json;

namespace Media.Pipelines.Editing;

/// <summary>
/// Checks an edited plan against the revision it was made from, every problem with its path ("plan.ranges[1].end"): ranges
/// inside the source, in order and not overlapping; words inside the kept ranges; the crop window and a layout's two
/// windows inside the frame, its spans in order inside the source;
/// texts inside the edit; what a revision cannot change (the source, the size, the stored files, intro and outro) unchanged.
/// </summary>
public static partial class EditPlanValidator
{
    public const int MaxRanges = 300;
    public const int MaxWords = 20_000;
    public const int MaxWordLength = 64;
    public const int MaxTextLength = 2000;
    private const double Tolerance = 0.05;

    // The render writes keyframe times to 0.1 ms: two closer than that would collapse into one and lose the jump between
    // them (every later position would be off by it). The planner's own jumps are 0.5 ms apart.
    private const double MinKeyframeGap = 0.0004;
    private const string KeyframeGapReason = "must be at least 0.0004 s after the keyframe before";

    private static readonly string[] Modes = [EditPlanMapper.Center, EditPlanMapper.Crop, EditPlanMapper.Fit, EditPlanMapper.BlurFill];

    public static IReadOnlyList<StrictJson.Problem> Validate(EditPlan plan, EditPlan basePlan, string root = "plan")
    {
        var problems = new List<StrictJson.Problem>();
        void Add(string path, string reason) => problems.Add(new StrictJson.Problem(root + path, reason));

        if (plan.Version != EditPlan.CurrentVersion)
        {
            Add(".version", $"must be {EditPlan.CurrentVersion}");
        }

        Same(plan.Output, basePlan.Output, ".output", "the output a plan makes");
        Same(plan.Source, basePlan.Source, ".source", "the source as probed");
        Same(plan.Width, basePlan.Width, ".width", "the output's size");
        Same(plan.Height, basePlan.Height, ".height", "the output's size");
        Same(plan.Intro, basePlan.Intro, ".intro", "the intro (it was probed with the source)");
        Same(plan.Outro, basePlan.Outro, ".outro", "the outro (it was probed with the source)");
        Same(plan.Loudness.PeakLimit, basePlan.Loudness.PeakLimit, ".loudness.peakLimit", "the limiter's ceiling (the pattern's true peak)");
        if (EncodePreset.Find(plan.Preset) is null)
        {
            Add(".preset", $"unknown preset '{Short(plan.Preset)}'; known: {string.Join(", ", EncodePreset.All.Select(p => p.Name))}");
        }

        if (plan.Hardware is not ("cpu" or "gpu"))
        {
            Add(".hardware", "must be cpu or gpu");
        }

        if (plan.Speed is < 0.25 or > 4)
        {
            Add(".speed", "must be between 0.25 and 4");
        }

        ValidateRanges(plan, Add);
        var outputSeconds = plan.Ranges.Sum(r => Math.Max(0, r.End - r.Start) / Math.Max(0.25, r.Speed)) / Math.Clamp(plan.Speed, 0.25, 4);
        if (EncodePreset.Find(plan.Preset) is { } preset && outputSeconds + (plan.Intro?.DurationSeconds ?? 0) + (plan.Outro?.DurationSeconds ?? 0) > preset.MaxDurationSeconds + Tolerance)
        {
            Add(".ranges", $"make an output of {outputSeconds:0.##} s; the '{preset.Name}' preset allows {preset.MaxDurationSeconds:0.##} s");
        }

        ValidateReframe(plan, basePlan, Add);
        ValidateCaptions(plan, basePlan, Add);
        for (var i = 0; i < plan.Texts.Count; i++)
        {
            ValidateText(plan.Texts[i], outputSeconds, $".texts[{i}]", Add);
        }

        if (plan.Logo is { } logo)
        {
            if (basePlan.Logo is null || logo.Source != basePlan.Logo.Source)
            {
                Add(".logo.source", "the logo image cannot change in a revision (submit a new job for another image)");
            }

            Enum(logo.Position, System.Enum.GetNames<Corner>(), ".logo.position", Add);
            Range(logo.Width, 2, plan.Width, ".logo.width", Add);
            Range(logo.Opacity, 0, 1, ".logo.opacity", Add);
            Range(logo.Margin, 0, Math.Min(plan.Width, plan.Height) / 4, ".logo.margin", Add);
        }

        if (plan.Music is { } music)
        {
            if (basePlan.Music is null || music.Source != basePlan.Music.Source)
            {
                Add(".music.source", "the music file cannot change in a revision (its level was measured with the edit)");
            }

            Range(music.VolumeDb, -60, 12, ".music.volumeDb", Add);
            Range(music.FadeInSeconds, 0, 30, ".music.fadeInSeconds", Add);
            Range(music.FadeOutSeconds, 0, 30, ".music.fadeOutSeconds", Add);
        }

        if (plan.Loudness.GainDb is { } gain)
        {
            Range(gain, -30, 30, ".loudness.gainDb", Add);
        }

        return problems;

        void Same<T>(T edited, T original, string path, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(edited, original))
            {
                Add(path, $"cannot change in a revision ({what})");
            }
        }
    }

    private static void ValidateRanges(EditPlan plan, Action<string, string> add)
    {
        if (plan.Ranges.Count == 0)
        {
            add(".ranges", "must keep at least one range of the source");
            return;
        }

        if (plan.Ranges.Count > MaxRanges)
        {
            add(".ranges", $"must have at most {MaxRanges} ranges");
        }

        for (var i = 0; i < plan.Ranges.Count; i++)
        {
            var range = plan.Ranges[i];
            var path = $".ranges[{i}]";
            if (range.Start < 0)
            {
                add(path + ".start", "must not be negative");
            }

            if (range.End > plan.Source.DurationSeconds + Tolerance)
            {
                add(path + ".end", $"is past the end of the source ({plan.Source.DurationSeconds:0.###} s)");
            }

            if (range.End - range.Start < 0.04)
            {
                add(path + ".end", "must be at least 0.04 s after start");
            }

            if (i > 0 && range.Start < plan.Ranges[i - 1].End - 0.001)
            {
                add(path + ".start", $"overlaps or precedes range {i - 1} (it ends at {plan.Ranges[i - 1].End:0.###} s); ranges are kept in source order");
            }

            Range(range.Speed, 0.25, 4, path + ".speed", add);
            Range(range.Zoom, 1, 3, path + ".zoom", add);
        }
    }

    private static void ValidateReframe(EditPlan plan, EditPlan basePlan, Action<string, string> add)
    {
        if (!Modes.Contains(plan.Reframe.Mode, StringComparer.Ordinal))
        {
            add(".reframe.mode", $"must be one of {string.Join(", ", Modes)}");
            return;
        }

        if (plan.Reframe.Mode != EditPlanMapper.Crop)
        {
            if (plan.Reframe.Crop is not null)
            {
                add(".reframe.crop", "is only for mode crop");
            }

            if (plan.Reframe.Layout is not null)
            {
                add(".reframe.layout", "is only for mode crop");
            }

            return;
        }

        if (plan.Reframe.Layout is { } layout)
        {
            ValidateLayout(plan, basePlan, layout, add);
        }

        if (plan.Reframe.Crop is not { } crop)
        {
            add(".reframe.crop", "is required for mode crop");
            return;
        }

        var source = plan.Source;
        var (width, height) = basePlan.Reframe.Crop is { } original ? (original.Width, original.Height) : CropSize(plan);
        if (crop.Width != width || crop.Height != height)
        {
            add(".reframe.crop", $"must be {width}x{height}: the largest window of the output's shape in the source");
        }

        if (crop.Keyframes.Count == 0)
        {
            add(".reframe.crop.keyframes", "must have at least one keyframe");
        }

        var horizontal = EditPlanMapper.MovesHorizontally(crop, source);
        for (var i = 0; i < crop.Keyframes.Count; i++)
        {
            var k = crop.Keyframes[i];
            var path = $".reframe.crop.keyframes[{i}]";
            if (k.Time < 0 || k.Time > source.DurationSeconds + Tolerance)
            {
                add(path + ".time", $"must be inside the source (0 to {source.DurationSeconds:0.###} s)");
            }

            if (i > 0 && k.Time < crop.Keyframes[i - 1].Time + MinKeyframeGap)
            {
                add(path + ".time", KeyframeGapReason);
            }

            // The window's centre keeps the whole window inside the frame; it moves only along the axis it can.
            if (k.X < (crop.Width / 2.0) - 0.5 || k.X > source.Width - (crop.Width / 2.0) + 0.5)
            {
                add(path + ".x", $"puts the crop outside the frame: x must be between {crop.Width / 2.0:0.#} and {source.Width - (crop.Width / 2.0):0.#}");
            }

            if (k.Y < (crop.Height / 2.0) - 0.5 || k.Y > source.Height - (crop.Height / 2.0) + 0.5)
            {
                add(path + ".y", $"puts the crop outside the frame: y must be between {crop.Height / 2.0:0.#} and {source.Height - (crop.Height / 2.0):0.#}");
            }
            else if (horizontal ? Math.Abs(k.Y - (source.Height / 2.0)) > 0.5 : Math.Abs(k.X - (source.Width / 2.0)) > 0.5)
            {
                add(path + (horizontal ? ".y" : ".x"), "cannot move: the window spans the source on this axis");
            }
        }
    }

    private static void ValidateLayout(EditPlan plan, EditPlan basePlan, EditLayout layout, Action<string, string> add)
    {
        var source = plan.Source;
        var (width, height) = basePlan.Reframe.Layout is { } original ? (original.Width, original.Height) : Render.SplitLayoutPlanner.WindowSize(source.Width, source.Height, plan.Width, plan.Height);
        if ((double)source.Width / source.Height < (double)plan.Width / plan.Height)
        {
            add(".reframe.layout", "needs a source wider than the output (two windows side by side in it)");
            return;
        }

        if (layout.Width != width || layout.Height != height)
        {
            add(".reframe.layout", $"must be {width}x{height}: the shape of half the output, at most half the source wide");
        }

        if (layout.Spans.Count > MaxRanges)
        {
            add(".reframe.layout.spans", $"must have at most {MaxRanges} spans");
        }

        for (var i = 0; i < layout.Spans.Count; i++)
        {
            var span = layout.Spans[i];
            var path = $".reframe.layout.spans[{i}]";
            if (span.Layout is not (EditPlanMapper.Split or EditPlanMapper.Wide))
            {
                add(path + ".layout", $"must be {EditPlanMapper.Split} or {EditPlanMapper.Wide}");
            }

            if (span.Start < 0 || span.End > source.DurationSeconds + Tolerance || span.End <= span.Start)
            {
                add(path, $"must be a range inside the source (0 to {source.DurationSeconds:0.###} s) with its end after its start");
            }

            if (i > 0 && span.Start < layout.Spans[i - 1].End)
            {
                add(path + ".start", "must not be before the previous span's end");
            }
        }

        foreach (var (keyframes, name) in new[] { (layout.Top, "top"), (layout.Bottom, "bottom") })
        {
            if (keyframes.Count == 0)
            {
                add($".reframe.layout.{name}", "must have at least one keyframe");
            }

            for (var i = 0; i < keyframes.Count; i++)
            {
                var k = keyframes[i];
                var path = $".reframe.layout.{name}[{i}]";
                if (k.Time < 0 || k.Time > source.DurationSeconds + Tolerance)
                {
                    add(path + ".time", $"must be inside the source (0 to {source.DurationSeconds:0.###} s)");
                }

                if (i > 0 && k.Time < keyframes[i - 1].Time + MinKeyframeGap)
                {
                    add(path + ".time", KeyframeGapReason);
                }

                if (k.X < (layout.Width / 2.0) - 0.5 || k.X > source.Width - (layout.Width / 2.0) + 0.5)
                {
                    add(path + ".x", $"puts the window outside the frame: x must be between {layout.Width / 2.0:0.#} and {source.Width - (layout.Width / 2.0):0.#}");
                }

                if (k.Y < (layout.Height / 2.0) - 0.5 || k.Y > source.Height - (layout.Height / 2.0) + 0.5)
                {
                    add(path + ".y", $"puts the window outside the frame: y must be between {layout.Height / 2.0:0.#} and {source.Height - (layout.Height / 2.0):0.#}");
                }
            }
        }
    }

    private static void ValidateCaptions(EditPlan plan, EditPlan basePlan, Action<string, string> add)
    {
        if (plan.Captions is not { } captions)
        {
            return;
        }

        if (basePlan.Captions is null)
        {
            add(".captions", "cannot be added in a revision (the output was planned without captions)");
            return;
        }

        Enum(captions.Style.Style, System.Enum.GetNames<CaptionStyle>(), ".captions.style.style", add);
        Enum(captions.Style.Position, System.Enum.GetNames<CaptionPosition>(), ".captions.style.position", add);
        Range(captions.Style.Size, 0.02, 0.2, ".captions.style.size", add);
        Colour(captions.Style.Color, ".captions.style.color", add);
        Colour(captions.Style.Highlight, ".captions.style.highlight", add);
        if (captions.Words.Count > MaxWords)
        {
            add(".captions.words", $"must have at most {MaxWords} words");
            return;
        }

        var ids = new HashSet<int>();
        for (var i = 0; i < captions.Words.Count; i++)
        {
            var word = captions.Words[i];
            var path = $".captions.words[{i}]";
            if (!ids.Add(word.Id))
            {
                add(path + ".id", $"{word.Id} is used by an earlier word");
            }

            if (string.IsNullOrWhiteSpace(word.Text))
            {
                add(path + ".text", "must not be empty (delete the word instead)");
            }
            else if (word.Text.Length > MaxWordLength)
            {
                add(path + ".text", $"must be at most {MaxWordLength} characters");
            }
            else if (word.Text.Any(c => char.IsControl(c) && c != '\n'))
            {
                add(path + ".text", "must not contain control characters");
            }

            if (word.End <= word.Start)
            {
                add(path + ".end", "must be after start");
            }

            if (i > 0 && word.Start < captions.Words[i - 1].Start)
            {
                add(path + ".start", "must not be earlier than the word before (words are in the order they are said)");
            }

            // The same rule the render uses: a word is shown when its middle is inside a kept range.
            var middle = (word.Start + word.End) / 2;
            if (!plan.Ranges.Any(r => middle >= r.Start && middle < r.End))
            {
                add(path, $"is outside the kept ranges ({word.Start:0.###}-{word.End:0.###} s): delete it, or keep the range it is said in");
            }

            if (word.Break is not ("" or "line" or "caption"))
            {
                add(path + ".break", "must be \"\", \"line\" or \"caption\"");
            }
        }
    }

    private static void ValidateText(EditText text, double outputSeconds, string path, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(text.Text))
        {
            add(path + ".text", "must not be empty (delete the text instead)");
        }
        else if (text.Text.Length > MaxTextLength)
        {
            add(path + ".text", $"must be at most {MaxTextLength} characters");
        }

        if (text.Start < 0)
        {
            add(path + ".start", "must not be negative");
        }

        if (text.End <= text.Start)
        {
            add(path + ".end", "must be after start");
        }
        else if (text.End > outputSeconds + Tolerance)
        {
            add(path + ".end", $"is past the end of the edit ({outputSeconds:0.###} s)");
        }

        Range(text.FontSize, 12, 400, path + ".fontSize", add);
        Colour(text.Color, path + ".color", add);
        if (text.BoxColor is { } box)
        {
            Colour(box, path + ".boxColor", add);
        }

        Enum(text.Position, System.Enum.GetNames<TextPosition>(), path + ".position", add);
    }

    private static (int Width, int Height) CropSize(EditPlan plan)
    {
        var aspect = (double)plan.Width / plan.Height;
        var horizontal = (double)plan.Source.Width / plan.Source.Height >= aspect;
        return horizontal
            ? ((int)Math.Round(plan.Source.Height * aspect / 2) * 2, plan.Source.Height)
            : (plan.Source.Width, (int)Math.Round(plan.Source.Width / aspect / 2) * 2);
    }

    private static void Enum(string value, string[] names, string path, Action<string, string> add)
    {
        if (!names.Any(n => string.Equals(EditPlanMapperName(n), value, StringComparison.Ordinal)))
        {
            add(path, $"must be one of {string.Join(", ", names.Select(EditPlanMapperName))}");
        }
    }

    private static string EditPlanMapperName(string enumName) => char.ToLowerInvariant(enumName[0]) + enumName[1..];

    private static void Range(double value, double min, double max, string path, Action<string, string> add)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            add(path, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
        }
    }

    private static void Colour(string value, string path, Action<string, string> add)
    {
        if (!ColourRegex().IsMatch(value))
        {
            add(path, "must be #RRGGBB or #RRGGBBAA");
        }
    }

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")]
    private static partial Regex ColourRegex();
}
