using SkiaSharp;

namespace Media.Pipelines.Thumbnails;

/// <summary>
/// Frame -> cover image: the frame scaled to cover the canvas, a dark gradient at the bottom, and the title
/// in white with a black stroke, wrapped and shrunk until it fits inside the safe margins.
/// </summary>
public static class ThumbnailCompositor
{
    public const int MaxTitleLines = 3;

    public static byte[] Compose(ThumbnailRequest request)
    {
        // SKBitmap.Decode throws ArgumentNullException on unknown data; ask for a codec first to fail clearly.
        using var data = SKData.CreateCopy(request.Frame);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException("The extracted frame is not a decodable image.");
        using var frame = SKBitmap.Decode(codec)
            ?? throw new InvalidDataException("The extracted frame is not a decodable image.");
        var info = new SKImageInfo(request.Width, request.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"Could not create a {request.Width}x{request.Height} canvas.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        DrawCover(canvas, frame, request.Width, request.Height);

        var title = request.Title.Trim();
        if (title.Length > 0)
        {
            DrawScrim(canvas, request.Width, request.Height);
            using var typeface = SKTypeface.FromFile(request.FontPath)
                ?? throw new InvalidDataException($"'{request.FontPath}' is not a usable font file.");
            DrawTitle(canvas, typeface, title, request.Width, request.Height);
        }

        using var image = surface.Snapshot();
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, request.JpegQuality);
        return encoded.ToArray();
    }

    /// <summary>Lays the title out and returns the lines and font size used (for tests: nothing may overflow).</summary>
    public static TitleLayout LayoutTitle(SKTypeface typeface, string title, float maxWidth, float maxHeight)
    {
        var words = title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var size = maxHeight / 2; size >= 12; size *= 0.92f)
        {
            using var font = new SKFont(typeface, size);
            var lines = Wrap(words, font, maxWidth);
            var lineHeight = size * 1.15f;
            if (lines is not null && lines.Count <= MaxTitleLines && lines.Count * lineHeight <= maxHeight)
            {
                return new TitleLayout(lines, size, lineHeight);
            }
        }

        // Smallest size and still too long: keep what fits and end with an ellipsis.
        using var smallest = new SKFont(typeface, 12);
        var clipped = WrapClipped(words, smallest, maxWidth);
        return new TitleLayout(clipped, 12, 12 * 1.15f);
    }

    private static void DrawCover(SKCanvas canvas, SKBitmap frame, int width, int height)
    {
        var scale = Math.Max((float)width / frame.Width, (float)height / frame.Height);
        var drawWidth = frame.Width * scale;
        var drawHeight = frame.Height * scale;
        var dest = SKRect.Create((width - drawWidth) / 2, (height - drawHeight) / 2, drawWidth, drawHeight);
        using var image = SKImage.FromBitmap(frame);
        canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    }

    private static void DrawScrim(SKCanvas canvas, int width, int height)
    {
        var top = height * 0.55f;
        using var shader = SKShader.CreateLinearGradient(
            new SKPoint(0, top),
            new SKPoint(0, height),
            [SKColors.Transparent, new SKColor(0, 0, 0, 200)],
            SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawRect(0, top, width, height - top, paint);
    }

    private static void DrawTitle(SKCanvas canvas, SKTypeface typeface, string title, int width, int height)
    {
        var margin = width * 0.08f;
        var boxWidth = width - 2 * margin;
        var boxHeight = height * 0.25f;
        var layout = LayoutTitle(typeface, title, boxWidth, boxHeight);
        using var font = new SKFont(typeface, layout.FontSize) { Subpixel = true };
        using var stroke = new SKPaint
        {
            IsAntialias = true,
            Color = SKColors.Black,
            Style = SKPaintStyle.Stroke,
            StrokeWidth = Math.Max(2, layout.FontSize / 10),
            StrokeJoin = SKStrokeJoin.Round,
        };
        using var fill = new SKPaint { IsAntialias = true, Color = SKColors.White, Style = SKPaintStyle.Fill };

        // Bottom-aligned block above the lower safe area (platform UI covers the last ~12%).
        var blockBottom = height * 0.88f;
        var y = blockBottom - (layout.Lines.Count * layout.LineHeight) + layout.FontSize;
        foreach (var line in layout.Lines)
        {
            var lineWidth = font.MeasureText(line);
            var x = (width - lineWidth) / 2;
            canvas.DrawText(line, x, y, SKTextAlign.Left, font, stroke);
            canvas.DrawText(line, x, y, SKTextAlign.Left, font, fill);
            y += layout.LineHeight;
        }
    }

    private static List<string>? Wrap(string[] words, SKFont font, float maxWidth)
    {
        var lines = new List<string>();
        var current = string.Empty;
        foreach (var word in words)
        {
            if (font.MeasureText(word) > maxWidth)
            {
                return null;
            }

            var candidate = current.Length == 0 ? word : current + " " + word;
            if (font.MeasureText(candidate) <= maxWidth)
            {
                current = candidate;
            }
            else
            {
                lines.Add(current);
                current = word;
            }
        }

        if (current.Length > 0)
        {
            lines.Add(current);
        }

        return lines;
    }

    private static List<string> WrapClipped(string[] words, SKFont font, float maxWidth)
    {
        var lines = new List<string>();
        var current = string.Empty;
        foreach (var word in words)
        {
            var piece = word;
            while (font.MeasureText(piece) > maxWidth && piece.Length > 1)
            {
                piece = piece[..^1];
            }

            var candidate = current.Length == 0 ? piece : current + " " + piece;
            if (font.MeasureText(candidate) <= maxWidth)
            {
                current = candidate;
                continue;
            }

            lines.Add(current);
            current = piece;
            if (lines.Count == MaxTitleLines)
            {
                break;
            }
        }

        if (lines.Count < MaxTitleLines && current.Length > 0)
        {
            lines.Add(current);
        }

        var last = lines[^1];
        while (last.Length > 1 && font.MeasureText(last + "…") > maxWidth)
        {
            last = last[..^1];
        }

        lines[^1] = last + "…";
        return lines;
    }
}
