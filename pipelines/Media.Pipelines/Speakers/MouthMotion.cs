using Media.Pipelines.Faces;

namespace Media.Pipelines.Speakers;

/// <summary>
/// How much a face's mouth moved between two sampled frames: one mouth region (half the face wide, a quarter high,
/// around BlazeFace's mouth landmark, averaged between the two sightings) is read from both frames on a 16x8 grid and
/// compared (mean absolute luma change, 0..255). One region for both frames, because the detector's box jitters by a
/// pixel or two from frame to frame, and that jitter over lips and stubble swamped the lips' own movement when each
/// frame was read at its own box (tried on the two-person footage: the listener scored higher than the speaker), and
/// subtracting the same measure over the eyes and brow (to take out nods and lighting) cut the speaker's face in the
/// crop from 97.8% to 82.6% of speech time (blinks). A head that moves fast moves the region's content too; <see cref="ActiveSpeaker"/> compares each face with its own
/// movement while nobody speaks. Needs no model beyond the face detector.
/// </summary>
public static class MouthMotion
{
    private const int GridWidth = 16;
    private const int GridHeight = 8;

    public static float Change(ReadOnlySpan<byte> previousFrame, FaceRegion previous, ReadOnlySpan<byte> frame, FaceRegion current, int width, int height)
    {
        var box = Mean(MouthBox(previous), MouthBox(current));
        return RegionChange(previousFrame, box, frame, box, width, height);
    }

    /// <summary>The face on the previous sample that is the same person (nearest centre within half a face width), if any.</summary>
    public static FaceRegion? SameFace(IReadOnlyList<FaceRegion> previous, FaceRegion face) =>
        previous
            .Select(p => (Face: p, Distance: Math.Sqrt(Math.Pow(p.CenterX - face.CenterX, 2) + Math.Pow(p.CenterY - face.CenterY, 2))))
            .Where(p => p.Distance <= 0.5 * Math.Max(p.Face.Width, face.Width))
            .OrderBy(p => p.Distance)
            .Select(p => p.Face)
            .FirstOrDefault();

    // Half the face's width and a quarter of its height around the mouth landmark (or where a frontal face's mouth is).
    private static (float X, float Y, float W, float H) MouthBox(FaceRegion face)
    {
        var cx = face.MouthX ?? face.CenterX;
        var cy = face.MouthY ?? (face.Y + (face.Height * 0.78f));
        return (cx - (face.Width * 0.25f), cy - (face.Height * 0.125f), face.Width * 0.5f, face.Height * 0.25f);
    }

    private static (float X, float Y, float W, float H) Mean((float X, float Y, float W, float H) a, (float X, float Y, float W, float H) b) =>
        ((a.X + b.X) / 2, (a.Y + b.Y) / 2, (a.W + b.W) / 2, (a.H + b.H) / 2);

    private static float RegionChange(ReadOnlySpan<byte> a, (float X, float Y, float W, float H) boxA, ReadOnlySpan<byte> b, (float X, float Y, float W, float H) boxB, int width, int height)
    {
        long total = 0;
        for (var gy = 0; gy < GridHeight; gy++)
        {
            for (var gx = 0; gx < GridWidth; gx++)
            {
                var u = (gx + 0.5f) / GridWidth;
                var v = (gy + 0.5f) / GridHeight;
                total += Math.Abs(Luma(a, boxA.X + (u * boxA.W), boxA.Y + (v * boxA.H), width, height) - Luma(b, boxB.X + (u * boxB.W), boxB.Y + (v * boxB.H), width, height));
            }
        }

        return (float)total / (GridWidth * GridHeight);
    }

    private static int Luma(ReadOnlySpan<byte> rgb, float x, float y, int width, int height)
    {
        var px = Math.Clamp((int)(x * width), 0, width - 1);
        var py = Math.Clamp((int)(y * height), 0, height - 1);
        var p = ((py * width) + px) * 3;
        return ((77 * rgb[p]) + (150 * rgb[p + 1]) + (29 * rgb[p + 2])) >> 8;
    }
}
