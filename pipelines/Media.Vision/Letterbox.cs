namespace Media.Vision;

/// <summary>
/// Where a frame lands inside the square model input: scaled to fit (aspect kept) and centred, the rest padded.
/// All values are in input pixels.
/// </summary>
internal readonly record struct Letterbox(int Size, int PadX, int PadY, int ContentWidth, int ContentHeight)
{
    public static Letterbox Fit(int width, int height, int size)
    {
        var scale = Math.Min((float)size / width, (float)size / height);
        var contentWidth = Math.Clamp((int)MathF.Round(width * scale), 1, size);
        var contentHeight = Math.Clamp((int)MathF.Round(height * scale), 1, size);
        return new Letterbox(size, (size - contentWidth) / 2, (size - contentHeight) / 2, contentWidth, contentHeight);
    }

    /// <summary>
    /// Maps a box from input units (0..1 across the square) back to frame units (0..1 across the frame). The box is
    /// clamped to the frame because callers crop with it; keypoints are left as they are.
    /// </summary>
    public FaceBox ToFrame(FaceBox box)
    {
        var left = Math.Clamp(ToFrameX(box.X), 0f, 1f);
        var top = Math.Clamp(ToFrameY(box.Y), 0f, 1f);
        var right = Math.Clamp(ToFrameX(box.X + box.Width), 0f, 1f);
        var bottom = Math.Clamp(ToFrameY(box.Y + box.Height), 0f, 1f);

        var keypoints = new FacePoint[box.Keypoints.Count];
        for (var k = 0; k < keypoints.Length; k++)
        {
            keypoints[k] = new FacePoint(ToFrameX(box.Keypoints[k].X), ToFrameY(box.Keypoints[k].Y));
        }

        return box with { X = left, Y = top, Width = right - left, Height = bottom - top, Keypoints = keypoints };
    }

    private float ToFrameX(float x) => ((x * Size) - PadX) / ContentWidth;

    private float ToFrameY(float y) => ((y * Size) - PadY) / ContentHeight;
}
