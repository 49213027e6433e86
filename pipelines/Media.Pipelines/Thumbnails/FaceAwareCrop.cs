using Media.Pipelines.Thumbnails.Templates;
using SkiaSharp;

namespace Media.Pipelines.Thumbnails;

/// <summary>
/// The largest window of the canvas's aspect ratio that fits the frame, slid to keep the faces in it:
/// all of them when they fit together, else the largest.
/// </summary>
public static class FaceAwareCrop
{
    public static (SKRectI Crop, bool FaceInside) Compute(int frameWidth, int frameHeight, int canvasWidth, int canvasHeight, IReadOnlyList<FaceRegion> faces, CropMode mode)
    {
        var canvasAspect = (double)canvasWidth / canvasHeight;
        int cropWidth, cropHeight;
        if ((double)frameWidth / frameHeight > canvasAspect)
        {
            cropHeight = frameHeight;
            cropWidth = Math.Min(frameWidth, (int)Math.Round(frameHeight * canvasAspect));
        }
        else
        {
            cropWidth = frameWidth;
            cropHeight = Math.Min(frameHeight, (int)Math.Round(frameWidth / canvasAspect));
        }

        double centerX = frameWidth / 2.0, centerY = frameHeight / 2.0;
        SKRect? target = null;
        if (mode == CropMode.Face && faces.Count > 0)
        {
            var union = faces.Select(Pixels).Aggregate(SKRect.Union);
            target = union.Width <= cropWidth && union.Height <= cropHeight ? union : Pixels(faces.MaxBy(f => f.Area)!);
            centerX = target.Value.MidX;
            centerY = target.Value.MidY;
        }

        var left = (int)Math.Round(Math.Clamp(centerX - cropWidth / 2.0, 0, frameWidth - cropWidth));
        var top = (int)Math.Round(Math.Clamp(centerY - cropHeight / 2.0, 0, frameHeight - cropHeight));
        var crop = SKRectI.Create(left, top, cropWidth, cropHeight);
        var inside = target is null || faces.Count == 0 || Contains(crop, Pixels(faces.MaxBy(f => f.Area)!));
        return (crop, inside);

        SKRect Pixels(FaceRegion f) => SKRect.Create(f.X * frameWidth, f.Y * frameHeight, f.Width * frameWidth, f.Height * frameHeight);
    }

    private static bool Contains(SKRectI crop, SKRect face) =>
        face.Left >= crop.Left - 1 && face.Top >= crop.Top - 1 && face.Right <= crop.Right + 1 && face.Bottom <= crop.Bottom + 1;
}
