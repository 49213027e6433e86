namespace Media.Vision;

/// <summary>
/// Turns BlazeFace's raw outputs into boxes, the way MediaPipe's TensorsToDetections and weighted
/// NonMaxSuppression calculators do. Pure functions, so they can be checked without the model.
/// </summary>
internal static class BlazeFaceDecoder
{
    /// <summary>Per anchor: x, y, w, h, then six (x, y) keypoints.</summary>
    public const int ValuesPerAnchor = 4 + (2 * FaceBox.KeypointCount);

    public const float DefaultIouThreshold = 0.3f;

    // Beyond this the logit says nothing more, and exp() of the unclamped value can overflow to infinity.
    private const float RawScoreLimit = 100f;

    public static float Sigmoid(float raw)
    {
        var x = Math.Clamp(raw, -RawScoreLimit, RawScoreLimit);
        return 1f / (1f + MathF.Exp(-x));
    }

    /// <summary>
    /// Appends to <paramref name="into"/> every anchor whose score reaches <paramref name="minScore"/>, with the box in
    /// model-input units (0..1 across the square input, letterbox padding included).
    /// </summary>
    public static void Decode(
        ReadOnlySpan<float> rawScores,
        ReadOnlySpan<float> rawBoxes,
        ReadOnlySpan<FacePoint> anchors,
        float minScore,
        List<FaceBox> into)
    {
        if (rawScores.Length != anchors.Length)
        {
            throw new ArgumentException($"Expected {anchors.Length} scores, got {rawScores.Length}.", nameof(rawScores));
        }

        if (rawBoxes.Length != anchors.Length * ValuesPerAnchor)
        {
            throw new ArgumentException(
                $"Expected {anchors.Length * ValuesPerAnchor} box values, got {rawBoxes.Length}.", nameof(rawBoxes));
        }

        for (var i = 0; i < anchors.Length; i++)
        {
            var score = Sigmoid(rawScores[i]);
            if (score >= minScore)
            {
                into.Add(DecodeBox(rawBoxes.Slice(i * ValuesPerAnchor, ValuesPerAnchor), anchors[i], score));
            }
        }
    }

    /// <summary>
    /// Raw values are pixel offsets in the 128x128 input; the anchor has a fixed unit size, so the centre is the
    /// anchor centre plus offset/128 and the extent is simply w/128, h/128.
    /// </summary>
    public static FaceBox DecodeBox(ReadOnlySpan<float> raw, FacePoint anchor, float score)
    {
        const float Scale = 1f / BlazeFaceAnchors.InputSize;
        var centerX = anchor.X + (raw[0] * Scale);
        var centerY = anchor.Y + (raw[1] * Scale);
        var width = raw[2] * Scale;
        var height = raw[3] * Scale;

        var keypoints = new FacePoint[FaceBox.KeypointCount];
        for (var k = 0; k < keypoints.Length; k++)
        {
            keypoints[k] = new FacePoint(anchor.X + (raw[4 + (2 * k)] * Scale), anchor.Y + (raw[5 + (2 * k)] * Scale));
        }

        return new FaceBox(centerX - (width / 2), centerY - (height / 2), width, height, score, keypoints);
    }

    public static float IntersectionOverUnion(FaceBox a, FaceBox b)
    {
        var left = Math.Max(a.X, b.X);
        var top = Math.Max(a.Y, b.Y);
        var right = Math.Min(a.X + a.Width, b.X + b.Width);
        var bottom = Math.Min(a.Y + a.Height, b.Y + b.Height);
        var inner = Math.Max(0f, right - left) * Math.Max(0f, bottom - top);
        var union = (a.Width * a.Height) + (b.Width * b.Height) - inner;
        return union > 0f ? inner / union : 0f;
    }

    /// <summary>
    /// Weighted NMS: BlazeFace fires on several neighbouring anchors per face, and averaging them (weighted by score)
    /// gives a steadier box than keeping the single best one. The merged box keeps the best score. The result is
    /// sorted by score, highest first.
    /// </summary>
    public static List<FaceBox> WeightedNonMaxSuppression(IEnumerable<FaceBox> candidates, float iouThreshold)
    {
        // Stable sort: equal scores keep their anchor order, so the result is deterministic.
        var sorted = candidates.OrderByDescending(c => c.Score).ToArray();
        var used = new bool[sorted.Length];
        var kept = new List<FaceBox>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (used[i])
            {
                continue;
            }

            var top = sorted[i];
            var cluster = new List<FaceBox> { top };
            for (var j = i + 1; j < sorted.Length; j++)
            {
                if (!used[j] && IntersectionOverUnion(top, sorted[j]) >= iouThreshold)
                {
                    cluster.Add(sorted[j]);
                    used[j] = true;
                }
            }

            kept.Add(WeightedMean(cluster, top.Score));
        }

        return kept;
    }

    private static FaceBox WeightedMean(List<FaceBox> cluster, float score)
    {
        if (cluster.Count == 1)
        {
            return cluster[0];
        }

        float total = 0, x = 0, y = 0, width = 0, height = 0;
        var keypoints = new (float X, float Y)[FaceBox.KeypointCount];
        foreach (var box in cluster)
        {
            var weight = box.Score;
            total += weight;
            x += box.X * weight;
            y += box.Y * weight;
            width += box.Width * weight;
            height += box.Height * weight;
            for (var k = 0; k < keypoints.Length && k < box.Keypoints.Count; k++)
            {
                keypoints[k].X += box.Keypoints[k].X * weight;
                keypoints[k].Y += box.Keypoints[k].Y * weight;
            }
        }

        if (total <= 0f)
        {
            // All weights underflowed to zero (a caller asking for minScore 0): nothing to average by.
            return cluster[0];
        }

        var merged = new FacePoint[keypoints.Length];
        for (var k = 0; k < merged.Length; k++)
        {
            merged[k] = new FacePoint(keypoints[k].X / total, keypoints[k].Y / total);
        }

        return new FaceBox(x / total, y / total, width / total, height / total, score, merged);
    }
}
