namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>Cheap image statistics on RGB24: sharpness (variance of the Laplacian), exposure, contrast, difference.</summary>
public static class FrameMetrics
{
    public static (double Sharpness, double MeanLuma, double LumaStdDev) Measure(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var luma = Luma(rgb, width, height);
        double sum = 0, sumSquares = 0;
        foreach (var y in luma)
        {
            sum += y;
            sumSquares += y * y;
        }

        var count = luma.Length;
        var mean = sum / count;
        var std = Math.Sqrt(Math.Max(0, sumSquares / count - mean * mean));

        double lapSum = 0, lapSquares = 0;
        var lapCount = 0;
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var i = y * width + x;
                double lap = luma[i - width] + luma[i + width] + luma[i - 1] + luma[i + 1] - 4 * luma[i];
                lapSum += lap;
                lapSquares += lap * lap;
                lapCount++;
            }
        }

        var lapMean = lapCount == 0 ? 0 : lapSum / lapCount;
        var sharpness = lapCount == 0 ? 0 : lapSquares / lapCount - lapMean * lapMean;
        return (sharpness, mean / 255.0, std / 255.0);
    }

    /// <summary>Mean absolute luma difference of two same-size frames, 0..1.</summary>
    public static double Difference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height)
    {
        var la = Luma(a, width, height);
        var lb = Luma(b, width, height);
        double sum = 0;
        for (var i = 0; i < la.Length; i++)
        {
            sum += Math.Abs(la[i] - lb[i]);
        }

        return sum / la.Length / 255.0;
    }

    private static float[] Luma(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (rgb.Length < width * height * 3)
        {
            throw new ArgumentException($"Expected {width * height * 3} bytes of RGB24, got {rgb.Length}.", nameof(rgb));
        }

        var luma = new float[width * height];
        for (var i = 0; i < luma.Length; i++)
        {
            luma[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
        }

        return luma;
    }
}
