namespace Media.Vision.Tests;

/// <summary>One detector for the whole class: loading the session once is what production does too.</summary>
public sealed class DetectorFixture : IDisposable
{
    public DetectorFixture()
    {
        Detector = new FaceDetector(TestModel.PathOrFail());
    }

    public FaceDetector Detector { get; }

    public void Dispose() => Detector.Dispose();
}
