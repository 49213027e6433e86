using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Templates;
using Media.Pipelines.Faces;
using Media.Pipelines.Fonts;
using Media.Pipelines.Text;

namespace Media.UnitTests.Thumbnails;

public sealed class TemplateAndLayoutTests
{
    [Fact]
    public void Library_BuiltIns_AllValid()
    {
        Assert.Equal(["square-clean", "vertical-cover", "youtube-bold"], ThumbnailTemplateLibrary.All.Select(t => t.Name).Order());
    }

    [Fact]
    public void Parse_BadValues_ReportPathsAndReasons()
    {
        var (template, violations) = ThumbnailTemplateParser.Parse("""
            apiVersion: media.farm/v1
            name: bad
            canvas: { width: 20000, height: 720 }
            format: gif
            scrim: { side: left, color: red }
            title: { maxSize: 0.02, minSize: 0.1, stroke: { color: "#12345" } }
            logo: { position: middle }
            """);

        Assert.Null(template);
        var paths = violations.Select(v => v.Path).ToHashSet();
        Assert.Superset(new HashSet<string> { "canvas.width", "format", "scrim.side", "scrim.color", "title.minSize", "title.stroke.color", "logo.source", "logo.position" }, paths);
    }

    [Theory]
    [InlineData("Hello brave new world", new[] { "Hello", "brave", "new", "world" })]
    [InlineData("日本語です", new[] { "日", "本", "語", "で", "す" })]
    [InlineData("Go 日本 now", new[] { "Go", "日", "本", "now" })]
    public void Tokenize_SpacesAndCjk_AreBreakOpportunities(string text, string[] expected)
    {
        Assert.Equal(expected, TextTokenizer.Tokenize(text).Select(t => t.Text));
    }

    [Theory]
    [InlineData("עשרה הרגלים", true)]
    [InlineData("123 عشر عادات", true)]
    [InlineData("Hello עולם", false)]
    public void IsRightToLeft_FirstStrongCharacterDecides(string text, bool expected)
    {
        Assert.Equal(expected, TextTokenizer.IsRightToLeft(text));
    }

    [Fact]
    public void Layout_TooLongAtMinimumSize_TruncatesWithEllipsisWithinBox()
    {
        using var fonts = FontSet.Create(null);
        var words = string.Join(' ', Enumerable.Repeat("endless", 80));

        var layout = TextLayoutEngine.Layout(fonts, words, 500, 120, 60, 20, 2);

        Assert.True(layout.Truncated);
        Assert.Equal(2, layout.Lines.Count);
        Assert.EndsWith("…", layout.Lines[^1].Tokens[^1].Text, StringComparison.Ordinal);
        Assert.All(layout.Lines, l => Assert.True(l.Width <= 500));
        Assert.True(layout.Height <= 120);
    }

    [Fact]
    public void Layout_ShortTitle_UsesLargestSize()
    {
        using var fonts = FontSet.Create(null);

        var layout = TextLayoutEngine.Layout(fonts, "Hi", 1000, 300, 100, 20, 3);

        Assert.Equal(100, layout.FontSize);
        Assert.Single(layout.Lines);
    }

    [Theory]
    [InlineData(0.02f, 0.3f)]
    [InlineData(0.9f, 0.3f)]
    [InlineData(0.45f, 0.3f)]
    public void FaceAwareCrop_FaceAnywhere_StaysInsideCrop(float faceX, float faceY)
    {
        var face = new FaceRegion(faceX - 0.02f < 0 ? 0 : faceX - 0.02f, faceY, 0.08f, 0.15f, 0.9f);

        var (crop, inside) = FaceAwareCrop.Compute(1920, 1080, 1080, 1920, [face], CropMode.Face);

        Assert.True(inside);
        Assert.Equal(608, crop.Width, 0.5);
        Assert.Equal(1080, crop.Height, 0.5);
        Assert.InRange(crop.Left, 0, 1920 - 608);
    }

    [Fact]
    public void FaceAwareCrop_CloseUpIntoWideCanvas_GrowsPastFrameInsteadOfCuttingFace()
    {
        var face = new FaceRegion(0.1f, 0.2f, 0.8f, 0.5f, 0.95f);

        var (crop, inside) = FaceAwareCrop.Compute(404, 720, 1280, 720, [face], CropMode.Face);

        Assert.True(inside);
        Assert.True(crop.Height > 720 * 0.5f * 1.1f);
        Assert.Equal(1280f / 720, crop.Width / crop.Height, 0.01);
    }

    [Fact]
    public void FaceAwareCrop_NoFaceOrCenterMode_CropsTheMiddle()
    {
        var (none, _) = FaceAwareCrop.Compute(1920, 1080, 1080, 1080, [], CropMode.Face);
        var (center, _) = FaceAwareCrop.Compute(1920, 1080, 1080, 1080, [new FaceRegion(0, 0, 0.1f, 0.1f, 1)], CropMode.Center);

        Assert.Equal(420f, none.Left);
        Assert.Equal(420f, center.Left);
    }

    [Fact]
    public void ImageEncoder_TightLimit_LowersQuality_ImpossibleLimitFails()
    {
        using var frame = Images.Frame();
        using var image = SkiaSharp.SKImage.FromBitmap(frame);

        var (generous, q1) = ImageEncoder.Encode(image, ThumbnailFormat.Jpeg, 5_000_000);
        var (tight, q2) = ImageEncoder.Encode(image, ThumbnailFormat.Jpeg, generous.Length - 1);

        Assert.True(q2 < q1);
        Assert.True(tight.Length < generous.Length);
        Assert.Throws<InvalidDataException>(() => ImageEncoder.Encode(image, ThumbnailFormat.Png, 1000));
    }
}
