using Media.Pipelines.Thumbnails.Templates;
using SkiaSharp;
using Media.Pipelines.Faces;

namespace Media.Pipelines.Thumbnails;

/// <summary>
/// The window of the frame shown on the canvas. Normally the largest window of the canvas's aspect ratio,
/// slid to keep the faces in it (all of them when they fit together, else the largest). When even the
/// largest face does not fit (a close-up going into a wide cover), the window grows past the frame so the
/// face is never cut; the composer fills the area outside the frame with a blurred copy.
/// </summary>
public static class FaceAwareCrop
{
    private const float FaceMargin = 1.15f;

    public static (SKRect Crop, bool FaceInside) Compute(int frameWidth, int frameHeight, int canvasWidth, int canvasHeight, IReadOnlyList<FaceRegion> faces, CropMode mode)
    {
        var canvasAspect = (float)canvasWidth / canvasHeight;
        float cropWidth, cropHeight;
        if ((float)frameWidth / frameHeight > canvasAspect)
        {
            cropHeight = frameHeight;
            cropWidth = Math.Min(frameWidth, MathF.Round(frameHeight * canvasAspect));
        }
        else
        {
            cropWidth = frameWidth;
            cropHeight = Math.Min(frameHeight, MathF.Round(frameWidth / canvasAspect));
        }

        if (mode != CropMode.Face || faces.Count == 0)
        {
            return (SKRect.Create((frameWidth - cropWidth) / 2, (frameHeight - cropHeight) / 2, cropWidth, cropHeight), true);
        }

        var largest = Pixels(faces.MaxBy(f => f.Area)!);
        var union = faces.Select(Pixels).Aggregate(SKRect.Union);
        var target = union.Width * FaceMargin <= cropWidth && union.Height * FaceMargin <= cropHeight ? union : largest;
        var grow = Math.Max(1, Math.Max(target.Width * FaceMargin / cropWidth, target.Height * FaceMargin / cropHeight));
        cropWidth *= grow;
        cropHeight *= grow;

        var left = Place(target.MidX, cropWidth, frameWidth);
        var top = Place(target.MidY, cropHeight, frameHeight);
        var crop = SKRect.Create(left, top, cropWidth, cropHeight);
        var inside = largest.Left >= crop.Left - 1 && largest.Top >= crop.Top - 1 && largest.Right <= crop.Right + 1 && largest.Bottom <= crop.Bottom + 1;
        return (crop, inside);

        SKRect Pixels(FaceRegion f) => SKRect.Create(f.X * frameWidth, f.Y * frameHeight, f.Width * frameWidth, f.Height * frameHeight);
    }

    /// <summary>Centres the window on the face, kept inside the frame when it fits in that dimension.</summary>
    private static float Place(float center, float window, int frame) =>
        window <= frame ? Math.Clamp(center - window / 2, 0, frame - window) : center - window / 2;
}
