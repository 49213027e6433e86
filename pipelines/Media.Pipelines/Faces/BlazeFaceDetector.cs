using Media.Pipelines.Models;
using Media.Vision;
using Microsoft.Extensions.Logging;

namespace Media.Pipelines.Faces;

/// <summary>The BlazeFace ONNX model behind <see cref="IFaceDetector"/>; loaded once, shared by all stages.</summary>
public sealed class BlazeFaceDetector(FaceDetector detector, float minScore) : IFaceDetector, IDisposable
{
    public const string ModelFile = "blazeface/face_detection_front_128x128.onnx";

    // MediaPipe's landmark order: right eye, left eye, nose tip, mouth centre, right ear, left ear.
    private const int MouthKeypoint = 3;

    public bool IsAvailable => true;

    public string Name => "blazeface-front-128";

    public IReadOnlyList<FaceRegion> Detect(ReadOnlySpan<byte> rgb24, int width, int height) =>
        detector.Detect(rgb24, width, height, minScore)
            .Select(f => new FaceRegion(f.X, f.Y, f.Width, f.Height, f.Score, f.Keypoints.Count > MouthKeypoint ? f.Keypoints[MouthKeypoint].X : null, f.Keypoints.Count > MouthKeypoint ? f.Keypoints[MouthKeypoint].Y : null))
            .ToList();

    public void Dispose() => detector.Dispose();

    /// <summary>The model when it is installed; otherwise a detector that finds nothing, with a warning saying how to install it.</summary>
    public static IFaceDetector CreateOrNone(ModelOptions options, ILogger logger)
    {
        var path = Path.Combine(options.ResolveDirectory(), ModelFile);
        if (!File.Exists(path))
        {
            logger.LogWarning("No face model at {Path}: covers are chosen without face detection. Run scripts/fetch-models.sh or set Media:Models:Directory.", path);
            return new NoFaceDetector();
        }

        logger.LogInformation("Face detection: {Path}", path);
        // One thread per inference: a 128x128 frame gains nothing from more, and ONNX Runtime's pool spins its idle
        // threads, which took a core's time from the other slot's tools (two chunked analyses at once ran 4% slower).
        return new BlazeFaceDetector(new FaceDetector(path, intraOpThreads: 1), options.FaceMinScore);
    }
}
