namespace Media.Vision;

/// <summary>
/// SSD anchors of MediaPipe's front-camera BlazeFace (128x128 input): stride 8 gives a 16x16 grid with 2 anchors per
/// cell, and the three stride-16 layers are merged into an 8x8 grid with 6 anchors per cell, 896 in all. Anchor size
/// is fixed (1x1), so only the centres matter; they sit at the middle of each cell (offset 0.5).
/// </summary>
internal static class BlazeFaceAnchors
{
    public const int InputSize = 128;

    public const int FineCount = 16 * 16 * 2;

    public const int CoarseCount = 8 * 8 * 6;

    public const int Count = FineCount + CoarseCount;

    private static readonly FacePoint[] AllCenters = Generate();

    /// <summary>Anchor centres in model-input units (0..1 across the 128x128 square), in the model's output order.</summary>
    public static ReadOnlySpan<FacePoint> Centers => AllCenters;

    private static FacePoint[] Generate()
    {
        var centers = new FacePoint[Count];
        var index = 0;
        foreach (var (stride, perCell) in new[] { (8, 2), (16, 6) })
        {
            var cells = InputSize / stride;
            for (var y = 0; y < cells; y++)
            {
                for (var x = 0; x < cells; x++)
                {
                    var center = new FacePoint((x + 0.5f) / cells, (y + 0.5f) / cells);
                    for (var a = 0; a < perCell; a++)
                    {
                        centers[index++] = center;
                    }
                }
            }
        }

        return centers;
    }
}
