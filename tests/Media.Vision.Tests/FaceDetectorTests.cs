namespace Media.Vision.Tests;

public sealed class FaceDetectorTests(DetectorFixture fixture) : IClassFixture<DetectorFixture>
{
    private readonly FaceDetector _detector = fixture.Detector;

    [Fact]
    public void Constructor_MissingModel_ThrowsFileNotFoundNamingPathAndFetchScript()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.onnx");

        var error = Assert.Throws<FileNotFoundException>(() => new FaceDetector(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/fetch-models.sh", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void Constructor_NotAnOnnxFile_ThrowsInvalidDataNamingPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not a protobuf");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => new FaceDetector(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Detect_FlatGrayFrame_FindsNoFace()
    {
        var faces = _detector.Detect(Frames.Flat(640, 360, 128, 128, 128), 640, 360);

        Assert.Empty(faces);
    }

    [Fact]
    public void Detect_GradientNoiseFrame_FindsNoFace()
    {
        var faces = _detector.Detect(Frames.GradientNoise(320, 240, seed: 7), 320, 240);

        Assert.Empty(faces);
    }

    [Fact]
    public void Detect_AnyThreshold_ReturnsBoxesInsideFrameSortedByScore()
    {
        // At minScore 0 every anchor survives decoding, which exercises decoding, NMS and un-letterboxing end to end.
        var faces = _detector.Detect(Frames.GradientNoise(200, 300, seed: 3), 200, 300, minScore: 0f);

        Assert.NotEmpty(faces);
        Assert.All(faces, face =>
        {
            Assert.InRange(face.X, 0f, 1f);
            Assert.InRange(face.Y, 0f, 1f);
            Assert.InRange(face.X + face.Width, 0f, 1.0001f);
            Assert.InRange(face.Y + face.Height, 0f, 1.0001f);
            Assert.InRange(face.Score, 0f, 1f);
            Assert.Equal(FaceBox.KeypointCount, face.Keypoints.Count);
        });
        Assert.Equal(faces.OrderByDescending(f => f.Score).Select(f => f.Score), faces.Select(f => f.Score));
    }

    [Fact]
    public void Detect_SameFrameTwice_ReturnsSameBoxes()
    {
        var frame = Frames.GradientNoise(256, 144, seed: 11);

        var first = _detector.Detect(frame, 256, 144, minScore: 0.05f);
        var second = _detector.Detect(frame, 256, 144, minScore: 0.05f);

        Assert.Equal(Describe(first), Describe(second));
    }

    [Fact]
    public async Task Detect_ConcurrentCalls_MatchSequentialResult()
    {
        var frame = Frames.GradientNoise(256, 144, seed: 5);
        var expected = Describe(_detector.Detect(frame, 256, 144, minScore: 0.05f));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(
            _ => Task.Run(() => Describe(_detector.Detect(frame, 256, 144, minScore: 0.05f)))));

        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Theory]
    [InlineData(100, 100, 100 * 100 * 3 - 1)]
    [InlineData(100, 100, 100 * 100 * 4)]
    [InlineData(100, 100, 0)]
    public void Detect_WrongBufferSize_ThrowsArgumentExceptionNamingBuffer(int width, int height, int length)
    {
        var error = Assert.Throws<ArgumentException>(() => _detector.Detect(new byte[length], width, height));

        Assert.Equal("rgb24", error.ParamName);
    }

    [Theory]
    [InlineData(0, 10, "width")]
    [InlineData(-4, 10, "width")]
    [InlineData(10, 0, "height")]
    public void Detect_NonPositiveSize_ThrowsNamingParameter(int width, int height, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => _detector.Detect(new byte[30], width, height));

        Assert.Equal(parameter, error.ParamName);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Detect_MinScoreOutsideUnitRange_Throws(float minScore)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _detector.Detect(new byte[300], 10, 10, minScore));

        Assert.Equal("minScore", error.ParamName);
    }

    [Fact]
    public void Detect_AfterDispose_ThrowsObjectDisposed()
    {
        var detector = new FaceDetector(TestModel.PathOrFail());
        detector.Dispose();

        Assert.Throws<ObjectDisposedException>(() => detector.Detect(new byte[300], 10, 10));
    }

    private static string[] Describe(IReadOnlyList<FaceBox> faces) =>
        faces.Select(f => FormattableString.Invariant($"{f.X:R} {f.Y:R} {f.Width:R} {f.Height:R} {f.Score:R}")).ToArray();
}
