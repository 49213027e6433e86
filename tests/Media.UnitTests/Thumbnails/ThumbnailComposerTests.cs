using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Templates;
using SkiaSharp;
using Media.Pipelines.Faces;
using Media.Pipelines.Fonts;

namespace Media.UnitTests.Thumbnails;

public sealed class ThumbnailComposerTests : IDisposable
{
    private static readonly Dictionary<string, string> Title = new() { ["title"] = "Five tips for better sleep", ["emphasis"] = "sleep" };
    private readonly FontSet _fonts = FontSet.Create(null);
    private readonly ThumbnailComposer _composer;

    public ThumbnailComposerTests() => _composer = new ThumbnailComposer(_fonts);

    private static ThumbnailTemplate Template(string name) => ThumbnailTemplateLibrary.Find(name)!;

    [Fact]
    public void Compose_SameInputTwice_IsByteIdentical()
    {
        using var frame = Images.Frame();

        var a = _composer.Compose(Template("youtube-bold"), new ThumbnailInput(frame, [], Title));
        var b = _composer.Compose(Template("youtube-bold"), new ThumbnailInput(frame, [], Title));

        Assert.Equal(a.Bytes, b.Bytes);
    }

    [Fact]
    public void Compose_ChangedTemplate_ChangesImageBeyondTolerance_ReencodeStaysWithin()
    {
        using var frame = Images.Frame();
        var template = Template("youtube-bold");

        var baseline = _composer.Compose(template, new ThumbnailInput(frame, [], Title));
        var recolored = _composer.Compose(template with { Title = template.Title with { Color = "#FF0000" } }, new ThumbnailInput(frame, [], Title));
        var png = _composer.Compose(template with { Format = ThumbnailFormat.Png, MaxBytes = 20_000_000 }, new ThumbnailInput(frame, [], Title));

        Assert.True(Images.Difference(baseline.Bytes, png.Bytes) < 2.0, "JPEG vs lossless of the same design should be within tolerance");
        Assert.True(Images.Difference(baseline.Bytes, recolored.Bytes) > 2.0, "a different title colour must show");
    }

    [Theory]
    [InlineData("youtube-bold", 1280, 720, "image/jpeg")]
    [InlineData("vertical-cover", 1080, 1920, "image/jpeg")]
    [InlineData("square-clean", 1080, 1080, "image/webp")]
    public void Compose_BuiltInTemplates_HaveTheirCanvasAndFormat(string name, int width, int height, string contentType)
    {
        using var frame = Images.Frame();

        var result = _composer.Compose(Template(name), new ThumbnailInput(frame, [], Title));

        using var decoded = SKBitmap.Decode(result.Bytes);
        Assert.Equal((width, height, contentType), (decoded.Width, decoded.Height, result.ContentType));
        Assert.True(result.Bytes.Length <= Template(name).MaxBytes);
    }

    public static TheoryData<string> HardTitles => new()
    {
        "A considerably longer title that has to wrap over several lines and still fit on the cover without spilling out of it at all",
        "Supercalifragilisticexpialidociousandthensomemorelettersthatneverbreakanywhere",
        "Ten habits 😀🔥 that changed my mornings 🚀",
        "Привет! Десять привычек, которые изменили моё утро навсегда",
        "十個改變我早晨的習慣，以及為什麼它們有效",
        "عشر عادات غيرت صباحاتي إلى الأبد",
        "עשרה הרגלים ששינו את הבקרים שלי",
        "Mixed: English, Русский, 日本語 and emoji 🎬",
    };

    [Theory]
    [MemberData(nameof(HardTitles))]
    public void Compose_HardTitles_TextStaysInsideSafeAreaWithAllGlyphs(string title)
    {
        using var frame = Images.Frame();
        foreach (var template in ThumbnailTemplateLibrary.All)
        {
            var result = _composer.Compose(template, new ThumbnailInput(frame, [], new Dictionary<string, string> { ["title"] = title, ["subtitle"] = "Episode 12 · " + title }));

            var safe = ThumbnailComposer.SafeArea(template);
            Assert.NotEmpty(result.TextBounds);
            Assert.All(result.TextBounds, r => Assert.True(
                r.Left >= safe.Left - 0.5 && r.Right <= safe.Right + 0.5 && r.Top >= safe.Top - 0.5 && r.Bottom <= safe.Bottom + 0.5,
                $"{template.Name}: text {r} outside safe area {safe}"));
        }

        Assert.True(_fonts.CanRender(title), $"missing glyphs for '{title}' (install fonts-wqy-microhei, fonts-noto-color-emoji)");
    }

    [Fact]
    public void Compose_FaceInLowerHalf_PutsTitleOnTop()
    {
        using var frame = Images.Frame();
        var faceLow = new FaceRegion(0.4f, 0.62f, 0.15f, 0.25f, 0.95f);
        var faceHigh = new FaceRegion(0.4f, 0.1f, 0.15f, 0.25f, 0.95f);

        var low = _composer.Compose(Template("youtube-bold"), new ThumbnailInput(frame, [faceLow], Title));
        var high = _composer.Compose(Template("youtube-bold"), new ThumbnailInput(frame, [faceHigh], Title));

        Assert.True(low.TextBounds[0].MidY < 720 / 2f);
        Assert.True(high.TextBounds[0].MidY > 720 / 2f);
    }

    [Fact]
    public void Compose_UnfilledBrandColour_FallsBackToDefault_BadOneFailsClearly()
    {
        using var frame = Images.Frame();
        var template = Template("youtube-bold");

        _composer.Compose(template, new ThumbnailInput(frame, [], Title));
        var ex = Assert.Throws<InvalidDataException>(() => _composer.Compose(template, new ThumbnailInput(frame, [], new Dictionary<string, string>(Title) { ["brand.accent"] = "teal" })));

        Assert.Contains("emphasis colour 'teal'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_WithLogo_DrawsItInTheCorner()
    {
        using var frame = Images.Frame(background: SKColors.Black);
        using var logoBitmap = new SKBitmap(100, 50);
        logoBitmap.Erase(SKColors.Lime);
        using var logo = SKImage.FromBitmap(logoBitmap);
        var template = Template("youtube-bold") with { Logo = new LogoStyle("blob:x", LogoCorner.TopRight, 0.1, 1), Format = ThumbnailFormat.Png, MaxBytes = 20_000_000 };

        var result = _composer.Compose(template, new ThumbnailInput(frame, [], Title) { Logo = logo });

        using var decoded = SKBitmap.Decode(result.Bytes);
        var pixel = decoded.GetPixel(1280 - 40 - 64, 40 + 16);
        Assert.True(pixel.Green > 200 && pixel.Red < 60, $"expected the logo's green at the top right, got {pixel}");
    }

    public void Dispose() => _fonts.Dispose();
}
