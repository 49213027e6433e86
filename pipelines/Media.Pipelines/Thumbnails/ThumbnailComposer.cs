using System.Globalization;
using Media.Pipelines.Text;
using Media.Pipelines.Thumbnails.Templates;
using SkiaSharp;
using Media.Pipelines.Faces;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Thumbnails;

/// <summary>
/// Template + frame -> cover image: face-aware crop, scrim, auto-fitted title and subtitle (font fallback,
/// HarfBuzz shaping, right-to-left lines, emphasis colour, stroke and shadow) inside the platform's safe
/// area, logo, and encoding within the size limit. Deterministic: the same input gives the same bytes.
/// </summary>
public sealed class ThumbnailComposer(FontSet fonts)
{
    public ComposedThumbnail Compose(ThumbnailTemplate template, ThumbnailInput input)
    {
        var (width, height) = (template.Width, template.Height);
        var (crop, faceInside) = FaceAwareCrop.Compute(input.Frame.Width, input.Frame.Height, width, height, input.Faces, template.Crop);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"Could not create a {width}x{height} canvas.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        DrawFrame(canvas, input.Frame, crop, width, height);

        var safe = SafeArea(template);
        var title = Text(template.Title, input.Parameters);
        var subtitle = template.Subtitle is { } sub ? Text(sub, input.Parameters) : string.Empty;
        var titleLayout = title.Length == 0
            ? TextBlockLayout.Empty
            : TextLayoutEngine.Layout(fonts, title, safe.Width, safe.Height * 0.45f, (float)template.Title.MaxSize * height, (float)template.Title.MinSize * height, template.Title.MaxLines);
        var subtitleLayout = subtitle.Length == 0 || template.Subtitle is null
            ? TextBlockLayout.Empty
            : TextLayoutEngine.Layout(fonts, subtitle, safe.Width, safe.Height * 0.15f, (float)template.Subtitle.MaxSize * height, (float)template.Subtitle.MinSize * height, template.Subtitle.MaxLines);

        var placement = Placement(template.Title.Position, input.Faces, crop, input.Frame.Width, input.Frame.Height);
        var gap = titleLayout.Lines.Count > 0 && subtitleLayout.Lines.Count > 0 ? titleLayout.FontSize * 0.3f : 0;
        var blockHeight = titleLayout.Height + gap + subtitleLayout.Height;
        var top = placement == TextPlacement.Top ? safe.Top : safe.Bottom - blockHeight;

        if (blockHeight > 0)
        {
            DrawScrim(canvas, template.Scrim, placement, width, height, input.Parameters);
        }

        var bounds = new List<SKRect>();
        bounds.AddRange(DrawBlock(canvas, titleLayout, template.Title, safe, top, input.Parameters));
        bounds.AddRange(DrawBlock(canvas, subtitleLayout, template.Subtitle ?? template.Title, safe, top + titleLayout.Height + gap, input.Parameters));

        if (template.Logo is { } logoStyle && input.Logo is { } logo)
        {
            DrawLogo(canvas, logo, logoStyle, width, height);
        }

        using var image = surface.Snapshot();
        var (bytes, quality) = ImageEncoder.Encode(image, template.Format, template.MaxBytes);
        var (contentType, extension) = ImageEncoder.Describe(template.Format);
        return new ComposedThumbnail(bytes, contentType, extension, width, height, quality, crop, faceInside, bounds, titleLayout.Truncated);
    }

    private static void DrawFrame(SKCanvas canvas, SKBitmap bitmap, SKRect crop, int width, int height)
    {
        using var frame = SKImage.FromBitmap(bitmap);
        var sampling = new SKSamplingOptions(SKCubicResampler.Mitchell);
        var bounds = SKRect.Create(bitmap.Width, bitmap.Height);
        if (!bounds.Contains(crop))
        {
            // The window reaches past the frame (a face that would not fit otherwise): fill with a blurred cover copy.
            var scale = Math.Max((float)width / bitmap.Width, (float)height / bitmap.Height);
            var cover = SKRect.Create((width - bitmap.Width * scale) / 2, (height - bitmap.Height * scale) / 2, bitmap.Width * scale, bitmap.Height * scale);
            using var blur = SKImageFilter.CreateBlur(width / 40f, width / 40f);
            using var dim = new SKPaint { ImageFilter = blur, ColorFilter = SKColorFilter.CreateBlendMode(new SKColor(0, 0, 0, 90), SKBlendMode.SrcOver) };
            canvas.DrawImage(frame, bounds, cover, sampling, dim);
        }

        // Map the crop window onto the canvas; only the part of the frame inside the window is drawn.
        var scaleX = width / crop.Width;
        var scaleY = height / crop.Height;
        var destination = SKRect.Create(-crop.Left * scaleX, -crop.Top * scaleY, bitmap.Width * scaleX, bitmap.Height * scaleY);
        canvas.Save();
        canvas.ClipRect(SKRect.Create(width, height));
        canvas.DrawImage(frame, bounds, destination, sampling);
        canvas.Restore();
    }

    /// <summary>Where text may go: clear of the platform UI (top bar, caption area and side buttons on 9:16).</summary>
    public static SKRect SafeArea(ThumbnailTemplate template)
    {
        float w = template.Width, h = template.Height;
        return template.IsPortrait
            ? SKRect.Create(w * 0.07f, h * 0.10f, w * (1 - 0.07f - 0.14f), h * (0.80f - 0.10f))
            : SKRect.Create(w * 0.06f, h * 0.06f, w * 0.88f, h * 0.88f);
    }

    private static string Text(TextStyle style, IReadOnlyDictionary<string, string> parameters)
    {
        var text = MergeFields.Render(style.Text, parameters).Trim();
        return style.Uppercase ? text.ToUpper(CultureInfo.InvariantCulture) : text;
    }

    private static TextPlacement Placement(TextPlacement requested, IReadOnlyList<FaceRegion> faces, SKRect crop, int frameWidth, int frameHeight)
    {
        if (requested != TextPlacement.Auto)
        {
            return requested;
        }

        if (faces.Count == 0)
        {
            return TextPlacement.Bottom;
        }

        var face = faces.MaxBy(f => f.Area)!;
        var faceCenterInCrop = (face.CenterY * frameHeight - crop.Top) / crop.Height;
        return faceCenterInCrop > 0.5 ? TextPlacement.Top : TextPlacement.Bottom;
    }

    private static void DrawScrim(SKCanvas canvas, ScrimStyle scrim, TextPlacement placement, int width, int height, IReadOnlyDictionary<string, string> parameters)
    {
        var side = scrim.Side == ScrimSide.Auto ? (placement == TextPlacement.Top ? ScrimSide.Top : ScrimSide.Bottom) : scrim.Side;
        if (side == ScrimSide.None || scrim.Opacity <= 0)
        {
            return;
        }

        var color = Color(scrim.Color, "#000000", "scrim.color", parameters);
        var solid = color.WithAlpha((byte)(color.Alpha * scrim.Opacity));
        var extent = (float)(height * scrim.Extent);
        var (from, to) = side == ScrimSide.Bottom ? (new SKPoint(0, height), new SKPoint(0, height - extent)) : (new SKPoint(0, 0), new SKPoint(0, extent));
        using var shader = SKShader.CreateLinearGradient(from, to, [solid, solid.WithAlpha(0)], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawRect(side == ScrimSide.Bottom ? SKRect.Create(0, height - extent, width, extent) : SKRect.Create(0, 0, width, extent), paint);
    }

    private IEnumerable<SKRect> DrawBlock(SKCanvas canvas, TextBlockLayout layout, TextStyle style, SKRect safe, float top, IReadOnlyDictionary<string, string> parameters)
    {
        if (layout.Lines.Count == 0)
        {
            return [];
        }

        var size = layout.FontSize;
        var fillColor = Color(style.Color, "#FFFFFF", "text colour", parameters);
        var emphasisColor = Color(MergeFields.Render(style.EmphasisColor, parameters), "#FFD400", "emphasis colour", parameters);
        var emphasis = MergeFields.Render(style.EmphasisWords, parameters)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => new TextToken(w, false).Key)
            .Where(k => k.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

        using var stroke = new SKPaint
        {
            IsAntialias = true,
            Style = SKPaintStyle.Stroke,
            StrokeWidth = (float)(size * style.StrokeWidth * 2),
            StrokeJoin = SKStrokeJoin.Round,
            Color = Color(style.StrokeColor, "#000000", "stroke colour", parameters),
        };
        using var shadowFilter = style.Shadow ? SKImageFilter.CreateDropShadow(0, size * 0.05f, size * 0.08f, size * 0.08f, new SKColor(0, 0, 0, 160)) : null;
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, ImageFilter = shadowFilter };
        var bounds = new List<SKRect>();
        var lineTop = top;
        foreach (var line in layout.Lines)
        {
            var x = safe.Left + (safe.Width - line.Width) / 2;
            bounds.Add(SKRect.Create(x, lineTop, line.Width, layout.LineHeight));
            var baseline = lineTop + size * 0.95f;
            var order = Enumerable.Range(0, line.Tokens.Count);
            foreach (var i in layout.RightToLeft ? order.Reverse() : order)
            {
                var token = line.Tokens[i];
                fill.Color = emphasis.Contains(token.Key) ? emphasisColor : fillColor;
                var runX = x;
                foreach (var run in fonts.Runs(token.Text))
                {
                    if (style.StrokeWidth > 0 && !run.IsEmoji)
                    {
                        fonts.Draw(canvas, run, runX, baseline, size, stroke);
                    }

                    fonts.Draw(canvas, run, runX, baseline, size, fill);
                    runX += fonts.Measure(run, size);
                }

                var hasGap = layout.RightToLeft ? i > 0 && line.Tokens[i - 1].SpaceAfter : token.SpaceAfter && i < line.Tokens.Count - 1;
                x += line.TokenWidths[i] + (hasGap ? line.SpaceWidth : 0);
            }

            lineTop += layout.LineHeight;
        }

        return bounds;
    }

    private static void DrawLogo(SKCanvas canvas, SKImage logo, LogoStyle style, int width, int height)
    {
        var margin = Math.Min(width, height) * 0.04f;
        var logoWidth = (float)(width * style.Width);
        var logoHeight = logoWidth * logo.Height / logo.Width;
        var x = style.Corner is LogoCorner.TopLeft or LogoCorner.BottomLeft ? margin : width - margin - logoWidth;
        var y = style.Corner is LogoCorner.TopLeft or LogoCorner.TopRight ? margin : height - margin - logoHeight;
        using var paint = new SKPaint { Color = SKColors.White.WithAlpha((byte)(255 * style.Opacity)) };
        canvas.DrawImage(logo, SKRect.Create(x, y, logoWidth, logoHeight), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
    }

    // A colour may be a merge field; one the job did not fill falls back to the template's default.
    private static SKColor Color(string template, string fallback, string what, IReadOnlyDictionary<string, string> parameters)
    {
        var text = MergeFields.Render(template, parameters).Trim();
        return ColorParser.Resolve(text.Length == 0 ? fallback : text, what);
    }
}
