using SkiaSharp;

namespace Media.UnitTests.Thumbnails;

/// <summary>Synthetic frames and a pixel comparison for the compositor tests.</summary>
internal static class Images
{
    public static SKBitmap Frame(int width = 1280, int height = 720, SKColor? background = null)
    {
        var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(background ?? SKColors.SteelBlue);
        using var paint = new SKPaint { Color = SKColors.Orange, IsAntialias = true };
        canvas.DrawCircle(width * 0.3f, height * 0.4f, height * 0.2f, paint);
        paint.Color = SKColors.White;
        for (var x = 0; x < width; x += 40)
        {
            canvas.DrawRect(x, height * 0.8f, 20, height * 0.2f, paint);
        }

        return bitmap;
    }

    /// <summary>Mean absolute difference per channel (0..255) of two encoded images of the same size.</summary>
    public static double Difference(byte[] a, byte[] b)
    {
        using var first = SKBitmap.Decode(a);
        using var second = SKBitmap.Decode(b);
        Assert.Equal((first.Width, first.Height), (second.Width, second.Height));
        double sum = 0;
        for (var y = 0; y < first.Height; y += 2)
        {
            for (var x = 0; x < first.Width; x += 2)
            {
                var p = first.GetPixel(x, y);
                var q = second.GetPixel(x, y);
                sum += Math.Abs(p.Red - q.Red) + Math.Abs(p.Green - q.Green) + Math.Abs(p.Blue - q.Blue);
            }
        }

        return sum / ((first.Width / 2) * (first.Height / 2) * 3.0);
    }
}
