using System.Buffers;

namespace Media.Vision;

/// <summary>
/// Fills the NHWC float input of the model from an RGB24 frame: letterboxed, RGB scaled to [-1, 1], padding black.
/// Downscaling averages every source pixel of a cell (box filter) rather than sampling one: video frames are often
/// 10x larger than the input, and point sampling at that ratio aliases noise and edges into the tiny face.
/// </summary>
internal static class LetterboxResampler
{
    private const int Channels = 3;

    public static Letterbox Fill(ReadOnlySpan<byte> rgb24, int width, int height, Span<float> input, int size)
    {
        var letterbox = Letterbox.Fit(width, height, size);
        var contentWidth = letterbox.ContentWidth;
        var contentHeight = letterbox.ContentHeight;

        // Black in the model's [-1, 1] range, as MediaPipe pads with zero-valued pixels.
        input[..(size * size * Channels)].Fill(-1f);

        var columns = Bounds(width, contentWidth);
        var rows = Bounds(height, contentHeight);

        // Horizontal pass: each source row reduced to contentWidth averaged pixels.
        var rowSums = ArrayPool<float>.Shared.Rent(height * contentWidth * Channels);
        try
        {
            for (var y = 0; y < height; y++)
            {
                var source = rgb24.Slice(y * width * Channels, width * Channels);
                var target = rowSums.AsSpan(y * contentWidth * Channels, contentWidth * Channels);
                for (var cx = 0; cx < contentWidth; cx++)
                {
                    var (start, end) = columns[cx];
                    float r = 0, g = 0, b = 0;
                    for (var x = start; x < end; x++)
                    {
                        r += source[x * Channels];
                        g += source[(x * Channels) + 1];
                        b += source[(x * Channels) + 2];
                    }

                    var inverse = 1f / (end - start);
                    target[cx * Channels] = r * inverse;
                    target[(cx * Channels) + 1] = g * inverse;
                    target[(cx * Channels) + 2] = b * inverse;
                }
            }

            // Vertical pass straight into the padded input.
            for (var cy = 0; cy < contentHeight; cy++)
            {
                var (start, end) = rows[cy];
                var scale = 2f / (255f * (end - start));
                var target = input.Slice((((cy + letterbox.PadY) * size) + letterbox.PadX) * Channels, contentWidth * Channels);
                target.Clear();
                for (var y = start; y < end; y++)
                {
                    var row = rowSums.AsSpan(y * contentWidth * Channels, target.Length);
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] += row[i];
                    }
                }

                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = (target[i] * scale) - 1f;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rowSums);
        }

        return letterbox;
    }

    /// <summary>Source range [start, end) for each target pixel; at least one pixel so upscaling degrades to nearest.</summary>
    private static (int Start, int End)[] Bounds(int sourceLength, int targetLength)
    {
        var bounds = new (int Start, int End)[targetLength];
        for (var i = 0; i < targetLength; i++)
        {
            var start = (int)((long)i * sourceLength / targetLength);
            var end = (int)((long)(i + 1) * sourceLength / targetLength);
            bounds[i] = (start, Math.Max(end, start + 1));
        }

        return bounds;
    }
}
