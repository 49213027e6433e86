using System.Text.RegularExpressions;
using Media.Pipelines.Captions;
using Media.Pipelines.Yaml;
using YamlDotNet.RepresentationModel;

namespace Media.Pipelines.Patterns.Steps;

/// <summary>Reads a pattern's `steps:` list; every problem is reported with its path (`steps[3].zoom`).</summary>
internal static partial class StepsParser
{
    public const int MaxTexts = 10;
    public const int MaxClips = 10;
    public const int MaxTextLength = 500;
    private const double MaxSeconds = 12 * 3600;

    private static readonly string[] Known = ["trim", "clips", "jumpCuts", "reframe", "punchIn", "text", "captions", "logo", "music", "intro", "outro", "loudness", "speed"];

    public static EditSteps Parse(YamlFields fields, List<PatternViolation> violations)
    {
        var steps = EditSteps.Default;
        var items = fields.Sequence("steps", required: false);
        if (items is null)
        {
            return steps;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<TextOverlay>();
        for (var i = 0; i < items.Children.Count; i++)
        {
            var path = $"steps[{i}]";
            if (items.Children[i] is not YamlMappingNode step || step.Children.Count != 1)
            {
                violations.Add(new(path, "must be a mapping with exactly one step name, e.g. 'reframe: { mode: center }'"));
                continue;
            }

            var (key, value) = step.Children.First();
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                violations.Add(new(path, $"unknown step '{name}'; known: {string.Join(", ", Known)}"));
                continue;
            }

            if (name != "text" && !seen.Add(name))
            {
                violations.Add(new($"{path}.{name}", $"'{name}' appears twice; a pattern has at most one"));
                continue;
            }

            if (value is not YamlMappingNode body)
            {
                violations.Add(new($"{path}.{name}", "must be a mapping of its settings, e.g. { factor: 1.1 }"));
                continue;
            }

            var f = new YamlFields(body, $"{path}.{name}", violations);
            switch (name)
            {
                case "trim":
                    steps = steps with { Trim = Trim(f, violations, $"{path}.{name}") };
                    break;
                case "clips":
                    f.AllowOnly("count", "minLength", "maxLength");
                    var count = f.Int("count", 1, MaxClips) ?? 3;
                    var min = f.Double("minLength", 3, 600) ?? 15;
                    var max = f.Double("maxLength", 3, 600) ?? 60;
                    if (max < min)
                    {
                        violations.Add(new($"{path}.{name}.maxLength", $"must be at least minLength ({min}s)"));
                    }

                    steps = steps with { Clips = new ClipsStep(count, min, Math.Max(min, max)) };
                    break;
                case "jumpCuts":
                    f.AllowOnly("minSilence", "padding", "speedUp", "fillers");
                    var speedUp = f.Double("speedUp", 0, 8) ?? 0;
                    if (speedUp is > 0 and < 1.5)
                    {
                        violations.Add(new($"{path}.{name}.speedUp", "must be 0 (cut pauses out) or between 1.5 and 8 (play pauses that much faster)"));
                    }

                    steps = steps with
                    {
                        JumpCuts = new JumpCutsStep(f.Double("minSilence", 0.2, 10) ?? 0.5, f.Double("padding", 0, 1) ?? 0.12, speedUp)
                        {
                            Fillers = Fillers(f, violations, $"{path}.{name}.fillers"),
                        },
                    };
                    break;
                case "reframe":
                    steps = steps with { Reframe = Reframe(f, violations, $"{path}.{name}") };
                    break;
                case "punchIn":
                    steps = steps with { PunchIn = PunchIn(f, violations, $"{path}.{name}") };
                    break;
                case "text":
                    if (Text(f, violations, $"{path}.{name}") is { } text)
                    {
                        texts.Add(text);
                    }

                    break;
                case "logo":
                    steps = steps with { Logo = Logo(f, violations, $"{path}.{name}") };
                    break;
                case "captions":
                    steps = steps with { Captions = Captions(f, violations, $"{path}.{name}") };
                    break;
                case "music":
                    f.AllowOnly("source", "volume", "fadeIn", "fadeOut", "duck");
                    var music = f.String("source", required: true);
                    steps = steps with
                    {
                        Music = music is null ? null : new MusicStep(music, f.Double("volume", -60, 0) ?? -18, f.Double("fadeIn", 0, 30) ?? 1, f.Double("fadeOut", 0, 30) ?? 2, f.Bool("duck") ?? true),
                    };
                    break;
                case "intro":
                case "outro":
                    f.AllowOnly("source");
                    var clipSource = f.String("source", required: true);
                    steps = name == "intro" ? steps with { Intro = clipSource } : steps with { Outro = clipSource };
                    break;
                case "loudness":
                    f.AllowOnly("target", "truePeak");
                    steps = steps with { Loudness = new LoudnessStep(f.Double("target", -40, -5) ?? -14, f.Double("truePeak", -9, 0) ?? -1.5) };
                    break;
                case "speed":
                    f.AllowOnly("factor");
                    steps = steps with { Speed = f.Double("factor", 0.5, 2.0) ?? 1 };
                    break;
            }
        }

        if (texts.Count > MaxTexts)
        {
            violations.Add(new("steps", $"has {texts.Count} text steps; the limit is {MaxTexts}"));
        }

        if (steps.Clips is not null && steps.Trim is not null)
        {
            violations.Add(new("steps", "clips chooses its own windows; remove trim (or clips)"));
        }

        if (steps.PunchIn is { AtCuts: true } && steps.JumpCuts is null)
        {
            violations.Add(new("steps", "punchIn at: cuts needs a jumpCuts step (there are no cuts to punch in at)"));
        }

        return steps with { Texts = texts };
    }

    private static TrimStep? Trim(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("start", "end", "duration");
        var start = f.Double("start", 0, MaxSeconds) ?? 0;
        var end = f.Double("end", 0.1, MaxSeconds);
        var duration = f.Double("duration", 0.1, MaxSeconds);
        if (end is not null && duration is not null)
        {
            violations.Add(new(path, "give end or duration, not both"));
            return null;
        }

        if (end is not null && end <= start)
        {
            violations.Add(new($"{path}.end", $"must be after start ({start}s)"));
            return null;
        }

        return new TrimStep(start, end ?? (duration is { } d ? start + d : null));
    }

    private static ReframeStep Reframe(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("mode", "maxPan", "deadZone", "minShot", "layout");
        var modeText = f.String("mode", required: false);
        var mode = modeText switch
        {
            // Subject-aware unless told otherwise: the face when there is one, else the centre.
            null or "auto" => ReframeMode.Auto,
            "center" => ReframeMode.Center,
            "blur-fill" => ReframeMode.BlurFill,
            "face" => ReframeMode.Face,
            "speaker" => ReframeMode.Speaker,
            "fit" => ReframeMode.Fit,
            _ => (ReframeMode?)null,
        };
        if (mode is null)
        {
            violations.Add(new($"{path}.mode", $"unknown mode '{modeText}'; known: auto, face, speaker, center, blur-fill, fit"));
        }

        var maxPan = f.Double("maxPan", 0.02, 2);
        var deadZone = f.Double("deadZone", 0, 0.4);
        if (mode is not (ReframeMode.Face or ReframeMode.Auto or ReframeMode.Speaker) && (maxPan is not null || deadZone is not null))
        {
            violations.Add(new(path, "maxPan and deadZone apply to mode: face, speaker and auto only"));
        }


        var layoutText = f.String("layout", required: false);
        var layout = layoutText switch
        {
            null or "single" => ReframeLayout.Single,
            "split" => ReframeLayout.Split,
            "auto" => ReframeLayout.Auto,
            _ => (ReframeLayout?)null,
        };
        if (layout is null)
        {
            violations.Add(new($"{path}.layout", $"unknown layout '{layoutText}'; known: single, split, auto"));
        }
        else if (layout != ReframeLayout.Single && mode is not (null or ReframeMode.Face or ReframeMode.Auto or ReframeMode.Speaker))
        {
            violations.Add(new($"{path}.layout", "layout: split and auto follow faces: they apply to mode: face, speaker and auto only"));
        }

        // The shortest shot: of one person in speaker mode, of one layout with split or auto.
        var minShot = f.Double("minShot", 0.5, 30);
        if (mode is not ReframeMode.Speaker && layout is ReframeLayout.Single && minShot is not null)
        {
            violations.Add(new($"{path}.minShot", "minShot applies to mode: speaker and to layout: split or auto only"));
        }

        return new ReframeStep(mode ?? ReframeMode.Auto, maxPan ?? 0.3, deadZone ?? 0.1, minShot ?? Speakers.SpeakerShots.DefaultMinShotSeconds, layout ?? ReframeLayout.Single);
    }

    private static LogoStep? Logo(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("source", "position", "width", "opacity", "margin");
        var source = f.String("source", required: true);
        var positionText = f.String("position", required: false) ?? "top-right";
        Corner? corner = positionText switch
        {
            "top-left" => Corner.TopLeft,
            "top-right" => Corner.TopRight,
            "bottom-left" => Corner.BottomLeft,
            "bottom-right" => Corner.BottomRight,
            _ => null,
        };
        if (corner is null)
        {
            violations.Add(new($"{path}.position", $"unknown position '{positionText}'; known: top-left, top-right, bottom-left, bottom-right"));
        }

        var width = f.Double("width", 0.02, 0.5) ?? 0.12;
        var opacity = f.Double("opacity", 0.05, 1) ?? 0.9;
        var margin = f.Double("margin", 0, 0.2) ?? 0.04;
        return source is null || corner is null ? null : new LogoStep(source, corner.Value, width, opacity, margin);
    }

    private static CaptionsStep? Captions(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("style", "position", "size", "color", "highlight", "maxChars", "maxLines", "casing", "emphasis", "script");
        var styleText = f.String("style", required: false) ?? "karaoke";
        CaptionStyle? style = styleText switch { "karaoke" => CaptionStyle.Karaoke, "pop" => CaptionStyle.Pop, "boxed" => CaptionStyle.Boxed, "minimal" => CaptionStyle.Minimal, _ => null };
        if (style is null)
        {
            violations.Add(new($"{path}.style", $"unknown style '{styleText}'; known: karaoke, pop, boxed, minimal"));
        }

        var positionText = f.String("position", required: false) ?? "bottom";
        CaptionPosition? position = positionText switch { "bottom" => CaptionPosition.Bottom, "center" => CaptionPosition.Center, "top" => CaptionPosition.Top, _ => null };
        if (position is null)
        {
            violations.Add(new($"{path}.position", $"unknown position '{positionText}'; known: bottom, center, top"));
        }

        var casingText = f.String("casing", required: false) ?? "sentence";
        CaptionCasing? casing = casingText switch { "sentence" => CaptionCasing.Sentence, "upper" => CaptionCasing.Upper, "as-is" => CaptionCasing.AsIs, _ => null };
        if (casing is null)
        {
            violations.Add(new($"{path}.casing", $"unknown casing '{casingText}'; known: sentence, upper, as-is"));
        }

        var color = f.String("color", required: false) ?? "#FFFFFF";
        var highlight = f.String("highlight", required: false) ?? "#FFD400";
        foreach (var (field, value) in new[] { ("color", color), ("highlight", highlight) })
        {
            if (!ColorRegex().IsMatch(value))
            {
                violations.Add(new($"{path}.{field}", "must be #RRGGBB or #RRGGBBAA"));
            }
        }

        return style is null || position is null || casing is null
            ? null
            : new CaptionsStep
            {
                Style = style.Value,
                Position = position.Value,
                Size = f.Double("size", 0.02, 0.12) ?? 0.05,
                Color = color,
                Highlight = highlight,
                MaxChars = f.Int("maxChars", 8, 60) ?? 0,
                MaxLines = f.Int("maxLines", 1, 3) ?? 2,
                Casing = casing.Value,
                Emphasis = f.String("emphasis", required: false) ?? string.Empty,
                Script = f.String("script", required: false) ?? "{{script}}",
            };
    }

    // `fillers: true` cuts the usual hesitations; a list names the words to cut instead.
    private static IReadOnlyList<string> Fillers(YamlFields f, List<PatternViolation> violations, string path)
    {
        if (!f.IsSequence("fillers"))
        {
            return f.Bool("fillers") == true ? JumpCutsStep.DefaultFillers : [];
        }

        var words = new List<string>();
        foreach (var item in f.Sequence("fillers", required: false)!.Children)
        {
            var word = (item as YamlScalarNode)?.Value?.Trim().ToLowerInvariant() ?? string.Empty;
            if (word.Length is 0 or > 20 || !word.All(char.IsLetter))
            {
                violations.Add(new($"{path}[{words.Count}]", "must be a word of 1-20 letters"));
                continue;
            }

            words.Add(word);
        }

        if (words.Count > 50)
        {
            violations.Add(new(path, "must name at most 50 words"));
        }

        return words;
    }

    private static PunchInStep? PunchIn(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("zoom", "every", "at");
        var zoom = f.Double("zoom", 1.0, 2.0) ?? 1.15;
        var every = f.Double("every", 1, 600);
        var at = f.String("at", required: false);
        if (at is not null && at != "cuts")
        {
            violations.Add(new($"{path}.at", "must be 'cuts' (punch in at every jump cut)"));
            return null;
        }

        if ((every is null) == (at is null))
        {
            violations.Add(new(path, "give every (seconds) or at: cuts, one of the two"));
            return null;
        }

        return new PunchInStep(zoom, every, at is not null);
    }

    private static TextOverlay? Text(YamlFields f, List<PatternViolation> violations, string path)
    {
        f.AllowOnly("text", "start", "end", "position", "size", "color", "box");
        var text = f.String("text", required: true);
        if (text is not null && (text.Length == 0 || text.Length > MaxTextLength))
        {
            violations.Add(new($"{path}.text", $"must be 1 to {MaxTextLength} characters"));
            text = null;
        }

        var start = f.Double("start", 0, MaxSeconds) ?? 0;
        var end = f.Double("end", 0.1, MaxSeconds);
        if (end <= start)
        {
            violations.Add(new($"{path}.end", $"must be after start ({start}s)"));
        }

        var positionText = f.String("position", required: false) ?? "top";
        TextPosition? position = positionText switch
        {
            "top" => TextPosition.Top,
            "center" => TextPosition.Center,
            "lower-third" => TextPosition.LowerThird,
            "bottom" => TextPosition.Bottom,
            _ => null,
        };
        if (position is null)
        {
            violations.Add(new($"{path}.position", $"unknown position '{positionText}'; known: top, center, lower-third, bottom"));
        }

        var color = f.String("color", required: false) ?? "#FFFFFF";
        if (!ColorRegex().IsMatch(color))
        {
            violations.Add(new($"{path}.color", "must be #RRGGBB or #RRGGBBAA"));
        }

        var box = f.String("box", required: false);
        string? boxColor = box switch
        {
            null or "true" => "#000000A0",
            "false" or "none" => null,
            _ => box,
        };
        if (boxColor is not null && !ColorRegex().IsMatch(boxColor))
        {
            violations.Add(new($"{path}.box", "must be true, false or a colour #RRGGBB / #RRGGBBAA"));
        }

        if (text is null || position is null)
        {
            return null;
        }

        return new TextOverlay
        {
            Text = text,
            StartSeconds = start,
            EndSeconds = end,
            Position = position.Value,
            Size = f.Double("size", 0.01, 0.2) ?? 0.045,
            Color = color,
            BoxColor = boxColor,
        };
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")]
    private static partial Regex ColorRegex();
}
