using Media.Pipelines.Thumbnails;
using SkiaSharp;

namespace Media.UnitTests.Thumbnails;

public sealed class ThumbnailCompositorTests
{
    private static readonly string Font = FontLocator.Find(null);

    private static byte[] Frame(SKColor color)
    {
        using var bitmap = new SKBitmap(320, 180);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(color);
            using var paint = new SKPaint { Color = SKColors.White };
            canvas.DrawCircle(160, 90, 40, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Fact]
    public void Compose_SameInputTwice_IsByteIdentical()
    {
        var request = new ThumbnailRequest(Frame(SKColors.SteelBlue), 540, 960, "Same input, same pixels", Font);

        Assert.Equal(ThumbnailCompositor.Compose(request), ThumbnailCompositor.Compose(request));
    }

    [Fact]
    public void Compose_ChangedTitle_ChangesImage()
    {
        var frame = Frame(SKColors.SteelBlue);

        var a = ThumbnailCompositor.Compose(new ThumbnailRequest(frame, 540, 960, "One title", Font));
        var b = ThumbnailCompositor.Compose(new ThumbnailRequest(frame, 540, 960, "Another title", Font));

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Compose_Output_IsJpegOfCanvasSize()
    {
        var jpeg = ThumbnailCompositor.Compose(new ThumbnailRequest(Frame(SKColors.DarkRed), 1080, 1920, "Title", Font));

        using var decoded = SKBitmap.Decode(jpeg);
        Assert.Equal((1080, 1920), (decoded.Width, decoded.Height));
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
    }

    [Theory]
    [InlineData("Short")]
    [InlineData("A considerably longer title that has to wrap over several lines to fit the cover")]
    [InlineData("Supercalifragilisticexpialidociousandthensomemorelettersthatneverbreak")]
    [InlineData("Привет, как дела? Очень длинный заголовок на русском языке")]
    public void LayoutTitle_AnyText_NeverOverflowsTheBox(string title)
    {
        using var typeface = SKTypeface.FromFile(Font);
        const float maxWidth = 900;
        const float maxHeight = 480;

        var layout = ThumbnailCompositor.LayoutTitle(typeface, title, maxWidth, maxHeight);

        using var font = new SKFont(typeface, layout.FontSize);
        Assert.InRange(layout.Lines.Count, 1, ThumbnailCompositor.MaxTitleLines);
        Assert.All(layout.Lines, line => Assert.True(font.MeasureText(line) <= maxWidth, $"'{line}' is {font.MeasureText(line)} wide"));
        Assert.True(layout.Lines.Count * layout.LineHeight <= maxHeight);
    }

    [Fact]
    public void Compose_NotAnImage_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ThumbnailCompositor.Compose(new ThumbnailRequest([1, 2, 3], 100, 100, "x", Font)));
    }
}
