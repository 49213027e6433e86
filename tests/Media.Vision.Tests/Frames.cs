namespace Media.Vision.Tests;

/// <summary>Synthetic RGB24 frames, so no test depends on media files.</summary>
internal static class Frames
{
    public static byte[] Flat(int width, int height, byte r, byte g, byte b)
    {
        var frame = new byte[width * height * 3];
        for (var i = 0; i < frame.Length; i += 3)
        {
            frame[i] = r;
            frame[i + 1] = g;
            frame[i + 2] = b;
        }

        return frame;
    }

    /// <summary>A diagonal colour gradient with seeded noise on top: texture without anything face-like.</summary>
    public static byte[] GradientNoise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var frame = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                frame[i] = Noisy((x * 255) / width, random);
                frame[i + 1] = Noisy((y * 255) / height, random);
                frame[i + 2] = Noisy(((x + y) * 255) / (width + height), random);
            }
        }

        return frame;
    }

    private static byte Noisy(int value, Random random) => (byte)Math.Clamp(value + random.Next(-40, 41), 0, 255);
}
