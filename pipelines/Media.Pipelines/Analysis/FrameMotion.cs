namespace Media.Pipelines.Analysis;

/// <summary>Motion energy between two RGB24 frames of the same size: mean absolute change of luma (0..255), on every 4th pixel.</summary>
public static class FrameMotion
{
    public static float MeanLumaChange(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> current)
    {
        long total = 0;
        var samples = 0;
        for (var p = 0; p + 2 < current.Length; p += 12)
        {
            // Integer BT.601 luma: (77 R + 150 G + 29 B) / 256.
            var a = ((77 * previous[p]) + (150 * previous[p + 1]) + (29 * previous[p + 2])) >> 8;
            var b = ((77 * current[p]) + (150 * current[p + 1]) + (29 * current[p + 2])) >> 8;
            total += Math.Abs(a - b);
            samples++;
        }

        return samples == 0 ? 0 : (float)total / samples;
    }
}
