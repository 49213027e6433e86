namespace Media.Vision.Tests;

public sealed class BlazeFaceDecoderTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void DecodeBox_HandMadeRaw_OffsetsAnchorCentreByPixelsOver128()
    {
        var raw = new float[BlazeFaceDecoder.ValuesPerAnchor];
        raw[0] = 12.8f;   // centre x: +0.1
        raw[1] = -6.4f;   // centre y: -0.05
        raw[2] = 32f;     // width 0.25
        raw[3] = 64f;     // height 0.5
        raw[4] = -12.8f;  // keypoint 0 x: -0.1
        raw[5] = 0f;
        raw[14] = 25.6f;  // keypoint 5 x: +0.2
        raw[15] = 12.8f;  // keypoint 5 y: +0.1

        var box = BlazeFaceDecoder.DecodeBox(raw, new FacePoint(0.5f, 0.5f), 0.9f);

        Assert.Equal(0.6f - 0.125f, box.X, Tolerance);
        Assert.Equal(0.45f - 0.25f, box.Y, Tolerance);
        Assert.Equal(0.25f, box.Width, Tolerance);
        Assert.Equal(0.5f, box.Height, Tolerance);
        Assert.Equal(0.6f, box.CenterX, Tolerance);
        Assert.Equal(0.45f, box.CenterY, Tolerance);
        Assert.Equal(0.9f, box.Score);
        Assert.Equal(6, box.Keypoints.Count);
        Assert.Equal(0.4f, box.Keypoints[0].X, Tolerance);
        Assert.Equal(0.5f, box.Keypoints[0].Y, Tolerance);
        Assert.Equal(0.7f, box.Keypoints[5].X, Tolerance);
        Assert.Equal(0.6f, box.Keypoints[5].Y, Tolerance);
    }

    [Fact]
    public void Decode_ScoresAroundThreshold_KeepsOnlyThoseReachingIt()
    {
        FacePoint[] anchors = [new(0.25f, 0.25f), new(0.75f, 0.75f)];
        float[] scores = [2f, -2f]; // sigmoid: 0.881, 0.119
        var boxes = new float[2 * BlazeFaceDecoder.ValuesPerAnchor];
        var found = new List<FaceBox>();

        BlazeFaceDecoder.Decode(scores, boxes, anchors, 0.6f, found);

        var only = Assert.Single(found);
        Assert.Equal(0.25f, only.CenterX, Tolerance);
        Assert.Equal(0.881f, only.Score, 1e-3f);
    }

    [Fact]
    public void Decode_MismatchedLengths_ThrowsArgumentException()
    {
        FacePoint[] anchors = [new(0.5f, 0.5f)];

        Assert.Throws<ArgumentException>(
            () => BlazeFaceDecoder.Decode(new float[2], new float[BlazeFaceDecoder.ValuesPerAnchor], anchors, 0.5f, []));
        Assert.Throws<ArgumentException>(() => BlazeFaceDecoder.Decode(new float[1], new float[4], anchors, 0.5f, []));
    }

    [Theory]
    [InlineData(0f, 0.5f)]
    [InlineData(1000f, 1f)]
    [InlineData(-1000f, 0f)]
    public void Sigmoid_Logit_IsFiniteProbability(float raw, float expected)
    {
        var score = BlazeFaceDecoder.Sigmoid(raw);

        Assert.True(float.IsFinite(score));
        Assert.Equal(expected, score, 1e-6f);
    }

    [Fact]
    public void IntersectionOverUnion_HalfShiftedSquares_IsOneThird()
    {
        var a = Box(0f, 0f, 0.2f, 0.2f, 0.9f);
        var b = Box(0.1f, 0f, 0.2f, 0.2f, 0.8f);

        Assert.Equal(1f / 3f, BlazeFaceDecoder.IntersectionOverUnion(a, b), Tolerance);
    }

    [Fact]
    public void WeightedNonMaxSuppression_TwoOverlappingBoxes_MergesIntoScoreWeightedMean()
    {
        var strong = Box(0.10f, 0.10f, 0.20f, 0.20f, 0.9f);
        var weak = Box(0.12f, 0.12f, 0.22f, 0.22f, 0.6f);

        var merged = Assert.Single(BlazeFaceDecoder.WeightedNonMaxSuppression([weak, strong], 0.3f));

        Assert.Equal(((0.10f * 0.9f) + (0.12f * 0.6f)) / 1.5f, merged.X, Tolerance);
        Assert.Equal(((0.20f * 0.9f) + (0.22f * 0.6f)) / 1.5f, merged.Width, Tolerance);
        Assert.Equal(0.9f, merged.Score);
        Assert.Equal(((0.30f * 0.9f) + (0.34f * 0.6f)) / 1.5f, merged.Keypoints[0].X, Tolerance);
    }

    [Fact]
    public void WeightedNonMaxSuppression_DisjointBoxes_KeepsBothSortedByScore()
    {
        var left = Box(0.0f, 0.0f, 0.2f, 0.2f, 0.7f);
        var right = Box(0.6f, 0.6f, 0.2f, 0.2f, 0.95f);

        var kept = BlazeFaceDecoder.WeightedNonMaxSuppression([left, right], 0.3f);

        Assert.Equal([right, left], kept);
    }

    private static FaceBox Box(float x, float y, float width, float height, float score)
    {
        // Keypoints follow the box's top-left corner (offset by its size) so merging them can be checked too.
        var keypoints = Enumerable.Repeat(new FacePoint(x + width, y), FaceBox.KeypointCount).ToArray();
        return new FaceBox(x, y, width, height, score, keypoints);
    }
}
