using System.Text.RegularExpressions;
using Media.Pipelines.Patterns;
using Media.Pipelines.Yaml;
using YamlDotNet.RepresentationModel;

namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>Reads thumbnail templates (standalone documents or inline in a pattern) with path-and-reason errors.</summary>
public static partial class ThumbnailTemplateParser
{
    public const int MaxDocumentLength = 64 * 1024;
    public const long MaxBytesLimit = 20_000_000;

    public static (ThumbnailTemplate? Template, IReadOnlyList<PatternViolation> Violations) Parse(string document)
    {
        var violations = new List<PatternViolation>();
        var root = YamlLoader.LoadMapping(document, MaxDocumentLength, violations);
        if (root is null)
        {
            return (null, violations);
        }

        var template = Parse(root, string.Empty, violations, requireHeader: true);
        return violations.Count == 0 && template is not null ? (template with { Document = document }, violations) : (null, violations);
    }

    internal static ThumbnailTemplate? Parse(YamlMappingNode node, string path, List<PatternViolation> violations, bool requireHeader)
    {
        var fields = new YamlFields(node, path, violations);
        fields.AllowOnly("apiVersion", "kind", "name", "canvas", "format", "maxBytes", "crop", "scrim", "title", "subtitle", "logo");
        var apiVersion = fields.String("apiVersion", required: requireHeader);
        if (apiVersion is not null && apiVersion != Pattern.CurrentApiVersion)
        {
            violations.Add(new(fields.PathOf("apiVersion"), $"'{apiVersion}' is not supported; use '{Pattern.CurrentApiVersion}'"));
        }

        var kind = fields.String("kind", required: false);
        if (kind is not null && kind != "ThumbnailTemplate")
        {
            violations.Add(new(fields.PathOf("kind"), "must be 'ThumbnailTemplate'"));
        }

        var name = fields.String("name", required: true);
        if (name is not null && !NameRegex().IsMatch(name))
        {
            violations.Add(new(fields.PathOf("name"), "must be 1-64 lowercase letters, digits or '-', starting with a letter"));
        }

        var canvas = fields.Child("canvas");
        int? width = null, height = null;
        if (canvas is null)
        {
            violations.Add(new(fields.PathOf("canvas"), "is required, e.g. { width: 1280, height: 720 }"));
        }
        else
        {
            canvas.AllowOnly("width", "height");
            width = canvas.Int("width", 64, 4096) ?? Missing(canvas, "width");
            height = canvas.Int("height", 64, 4096) ?? Missing(canvas, "height");
        }

        var format = fields.String("format", required: false) switch
        {
            null or "jpeg" or "jpg" => ThumbnailFormat.Jpeg,
            "webp" => ThumbnailFormat.Webp,
            "png" => ThumbnailFormat.Png,
            var other => Invalid(fields.PathOf("format"), $"unknown format '{other}'; known: jpeg, webp, png", ThumbnailFormat.Jpeg),
        };
        var maxBytes = (long?)fields.Double("maxBytes", 10_000, MaxBytesLimit) ?? 2_000_000;
        var crop = fields.String("crop", required: false) switch
        {
            null or "face" => CropMode.Face,
            "center" => CropMode.Center,
            var other => Invalid(fields.PathOf("crop"), $"unknown crop '{other}'; known: face, center", CropMode.Face),
        };

        var scrim = ParseScrim(fields.Child("scrim"));
        var title = fields.Child("title") is { } titleFields ? ParseText(titleFields, defaults: new TextStyle { Text = "{{title}}" }) : new TextStyle { Text = "{{title}}" };
        var subtitle = fields.Child("subtitle") is { } subtitleFields
            ? ParseText(subtitleFields, defaults: new TextStyle { Text = "{{subtitle}}", MaxLines = 1, MaxSize = 0.05, MinSize = 0.03, Color = "#FFD400" })
            : null;
        var logo = ParseLogo(fields.Child("logo"));

        if (name is null || width is null || height is null || title is null)
        {
            return null;
        }

        return new ThumbnailTemplate
        {
            Name = name,
            Width = width.Value,
            Height = height.Value,
            Format = format,
            MaxBytes = maxBytes,
            Crop = crop,
            Scrim = scrim ?? new ScrimStyle(ScrimSide.Auto, "#000000", 0.7, 0.5),
            Title = title,
            Subtitle = subtitle,
            Logo = logo,
        };

        T Invalid<T>(string at, string reason, T fallback)
        {
            violations.Add(new(at, reason));
            return fallback;
        }

        int? Missing(YamlFields parent, string field)
        {
            if (violations.All(v => v.Path != parent.PathOf(field)))
            {
                violations.Add(new(parent.PathOf(field), "is required"));
            }

            return null;
        }

        ScrimStyle? ParseScrim(YamlFields? scrimFields)
        {
            if (scrimFields is null)
            {
                return null;
            }

            scrimFields.AllowOnly("side", "color", "opacity", "extent");
            var side = scrimFields.String("side", required: false) switch
            {
                null or "auto" => ScrimSide.Auto,
                "top" => ScrimSide.Top,
                "bottom" => ScrimSide.Bottom,
                "none" => ScrimSide.None,
                var other => Invalid(scrimFields.PathOf("side"), $"unknown side '{other}'; known: auto, top, bottom, none", ScrimSide.Auto),
            };
            var color = Color(scrimFields, "color") ?? "#000000";
            return new ScrimStyle(side, color, scrimFields.Double("opacity", 0, 1) ?? 0.7, scrimFields.Double("extent", 0.05, 1) ?? 0.5);
        }

        TextStyle? ParseText(YamlFields text, TextStyle defaults)
        {
            text.AllowOnly("text", "color", "stroke", "shadow", "maxLines", "maxSize", "minSize", "position", "uppercase", "emphasis");
            var style = defaults with
            {
                Text = text.String("text", required: false) ?? defaults.Text,
                Color = Color(text, "color") ?? defaults.Color,
                Shadow = text.Bool("shadow") ?? defaults.Shadow,
                MaxLines = text.Int("maxLines", 1, 6) ?? defaults.MaxLines,
                MaxSize = text.Double("maxSize", 0.01, 0.5) ?? defaults.MaxSize,
                MinSize = text.Double("minSize", 0.01, 0.5) ?? defaults.MinSize,
                Uppercase = text.Bool("uppercase") ?? defaults.Uppercase,
                Position = text.String("position", required: false) switch
                {
                    null => defaults.Position,
                    "auto" => TextPlacement.Auto,
                    "top" => TextPlacement.Top,
                    "bottom" => TextPlacement.Bottom,
                    var other => Invalid(text.PathOf("position"), $"unknown position '{other}'; known: auto, top, bottom", TextPlacement.Auto),
                },
            };
            if (style.MinSize > style.MaxSize)
            {
                violations.Add(new(text.PathOf("minSize"), "must not be larger than maxSize"));
            }

            if (text.Child("stroke") is { } stroke)
            {
                stroke.AllowOnly("color", "width");
                style = style with { StrokeColor = Color(stroke, "color") ?? style.StrokeColor, StrokeWidth = stroke.Double("width", 0, 0.3) ?? style.StrokeWidth };
            }

            if (text.Child("emphasis") is { } emphasis)
            {
                emphasis.AllowOnly("words", "color");
                style = style with { EmphasisWords = emphasis.String("words", required: false) ?? string.Empty, EmphasisColor = Color(emphasis, "color") ?? style.EmphasisColor };
            }

            return style;
        }

        LogoStyle? ParseLogo(YamlFields? logoFields)
        {
            if (logoFields is null)
            {
                return null;
            }

            logoFields.AllowOnly("source", "position", "width", "opacity");
            var source = logoFields.String("source", required: true) ?? string.Empty;
            var corner = logoFields.String("position", required: false) switch
            {
                null or "top-right" => LogoCorner.TopRight,
                "top-left" => LogoCorner.TopLeft,
                "bottom-left" => LogoCorner.BottomLeft,
                "bottom-right" => LogoCorner.BottomRight,
                var other => Invalid(logoFields.PathOf("position"), $"unknown position '{other}'; known: top-left, top-right, bottom-left, bottom-right", LogoCorner.TopRight),
            };
            return new LogoStyle(source, corner, logoFields.Double("width", 0.02, 0.5) ?? 0.12, logoFields.Double("opacity", 0, 1) ?? 0.9);
        }

        string? Color(YamlFields parent, string field)
        {
            var value = parent.String(field, required: false);
            if (value is not null && !value.Contains("{{", StringComparison.Ordinal) && !ColorParser.TryParse(value, out _))
            {
                violations.Add(new(parent.PathOf(field), $"'{value}' is not a colour; use #RRGGBB or #RRGGBBAA (or a merge field)"));
                return null;
            }

            return value;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex NameRegex();
}
