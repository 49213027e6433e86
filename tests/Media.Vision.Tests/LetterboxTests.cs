namespace Media.Vision.Tests;

public sealed class LetterboxTests
{
    private const int Size = 128;
    private const float Tolerance = 1e-5f;

    [Fact]
    public void Fit_Landscape16x9_FillsWidthAndCentresVertically()
    {
        var letterbox = Letterbox.Fit(1280, 720, Size);

        Assert.Equal(new Letterbox(Size, 0, 28, Size, 72), letterbox);
    }

    [Fact]
    public void Fit_Portrait_FillsHeightAndCentresHorizontally()
    {
        var letterbox = Letterbox.Fit(404, 720, Size);

        Assert.Equal(72, letterbox.ContentWidth);
        Assert.Equal(Size, letterbox.ContentHeight);
        Assert.Equal(28, letterbox.PadX);
        Assert.Equal(0, letterbox.PadY);
    }

    [Fact]
    public void ToFrame_ContentArea_MapsToWholeFrame()
    {
        var letterbox = Letterbox.Fit(1280, 720, Size);
        var top = 28f / Size;
        var height = 72f / Size;
        var box = new FaceBox(0f, top, 1f, height, 0.9f, [new FacePoint(0.5f, top + (height / 2))]);

        var mapped = letterbox.ToFrame(box);

        Assert.Equal(0f, mapped.X, Tolerance);
        Assert.Equal(0f, mapped.Y, Tolerance);
        Assert.Equal(1f, mapped.Width, Tolerance);
        Assert.Equal(1f, mapped.Height, Tolerance);
        Assert.Equal(new FacePoint(0.5f, 0.5f), mapped.Keypoints[0]);
    }

    [Fact]
    public void ToFrame_BoxReachingIntoPadding_IsClampedToFrame()
    {
        var letterbox = Letterbox.Fit(1280, 720, Size);

        var mapped = letterbox.ToFrame(new FaceBox(0.9f, 0f, 0.2f, 0.3f, 0.9f, []));

        Assert.Equal(0.9f, mapped.X, Tolerance);
        Assert.Equal(0.1f, mapped.Width, Tolerance);
        Assert.Equal(0f, mapped.Y);
        Assert.True(mapped.Height > 0f && mapped.Y + mapped.Height <= 1f);
    }

    [Fact]
    public void Fill_UniformFrame_ContentHasColourAndPaddingIsBlack()
    {
        var frame = Frames.Flat(64, 32, 255, 0, 51);
        var input = new float[Size * Size * 3];

        var letterbox = LetterboxResampler.Fill(frame, 64, 32, input, Size);

        Assert.Equal(new Letterbox(Size, 0, 32, Size, 64), letterbox);
        Assert.Equal(-1f, input[0]);
        var middle = ((64 * Size) + 64) * 3;
        Assert.Equal(1f, input[middle], Tolerance);
        Assert.Equal(-1f, input[middle + 1], Tolerance);
        Assert.Equal(-0.6f, input[middle + 2], Tolerance);
        Assert.Equal(-1f, input[^1]);
    }

    [Fact]
    public void Fill_Downscale_AveragesEverySourcePixelOfACell()
    {
        // 256x256 checkerboard of black and white pixels: each input pixel covers a 2x2 block, so it must be grey.
        var frame = new byte[256 * 256 * 3];
        for (var y = 0; y < 256; y++)
        {
            for (var x = 0; x < 256; x++)
            {
                var value = (byte)(((x + y) & 1) == 0 ? 255 : 0);
                frame.AsSpan(((y * 256) + x) * 3, 3).Fill(value);
            }
        }

        var input = new float[Size * Size * 3];

        LetterboxResampler.Fill(frame, 256, 256, input, Size);

        Assert.All(input, value => Assert.Equal(0f, value, Tolerance));
    }
}
