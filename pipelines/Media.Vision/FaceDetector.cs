using Microsoft.ML.OnnxRuntime;

namespace Media.Vision;

/// <summary>
/// Finds faces in RGB frames with MediaPipe's short-range (front camera) BlazeFace model, run by ONNX Runtime on
/// the CPU. The model is loaded once, in the constructor.
/// </summary>
/// <remarks>
/// <see cref="Detect"/> is thread-safe: ONNX Runtime allows concurrent runs of one session and every call works on
/// its own buffers, so one instance can serve a whole worker. <see cref="Dispose"/> must not race with
/// <see cref="Detect"/>.
/// </remarks>
public sealed class FaceDetector : IDisposable
{
    public const float DefaultMinScore = 0.6f;

    private const int Size = BlazeFaceAnchors.InputSize;
    private const int Channels = 3;
    private const string FetchHint = "Run scripts/fetch-models.sh to download it.";

    private static readonly long[] InputShape = [1, Size, Size, Channels];

    private readonly InferenceSession _session;
    private readonly string _inputName;

    // Outputs in the order Detect reads them: fine-grid scores, coarse-grid scores, fine-grid boxes, coarse-grid boxes.
    private readonly string[] _outputNames;

    private bool _disposed;

    /// <param name="modelPath">Path to face_detection_front_128x128.onnx (see scripts/fetch-models.sh).</param>
    /// <param name="intraOpThreads">Threads one inference may use; 0 lets ONNX Runtime decide.</param>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or not the BlazeFace front model.</exception>
    public FaceDetector(string modelPath, int intraOpThreads = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);

        ModelPath = Path.GetFullPath(modelPath);
        if (!File.Exists(ModelPath))
        {
            throw new FileNotFoundException($"BlazeFace model not found at '{ModelPath}'. {FetchHint}", ModelPath);
        }

        using var options = new SessionOptions
        {
            // The converted model carries unused initializers, and ORT warns about each one on every load.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            IntraOpNumThreads = intraOpThreads,
        };

        try
        {
            _session = new InferenceSession(ModelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException(
                $"'{ModelPath}' is not a valid ONNX model ({ex.Message}). Delete it and run scripts/fetch-models.sh again.",
                ex);
        }

        try
        {
            (_inputName, _outputNames) = ResolveSignature(_session, ModelPath);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

    /// <summary>Detects faces in a packed RGB24 frame (row-major, 3 bytes per pixel, no row padding).</summary>
    /// <param name="minScore">Lowest confidence kept, in [0, 1].</param>
    /// <returns>Faces in frame-normalized coordinates, highest score first.</returns>
    public IReadOnlyList<FaceBox> Detect(ReadOnlySpan<byte> rgb24, int width, int height, float minScore = DefaultMinScore)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var expected = (long)width * height * Channels;
        if (rgb24.Length != expected)
        {
            throw new ArgumentException(
                $"Expected {expected} bytes for a {width}x{height} RGB24 frame (width*height*3), got {rgb24.Length}.",
                nameof(rgb24));
        }

        if (!(minScore >= 0f && minScore <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(minScore), minScore, "minScore must be within [0, 1].");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);

        var input = new float[Size * Size * Channels];
        var letterbox = LetterboxResampler.Fill(rgb24, width, height, input, Size);

        var candidates = new List<FaceBox>();
        using (var inputValue = OrtValue.CreateTensorValueFromMemory(input, InputShape))
        using (var runOptions = new RunOptions())
        using (var outputs = _session.Run(runOptions, [_inputName], [inputValue], _outputNames))
        {
            var anchors = BlazeFaceAnchors.Centers;
            BlazeFaceDecoder.Decode(
                outputs[0].GetTensorDataAsSpan<float>(),
                outputs[2].GetTensorDataAsSpan<float>(),
                anchors[..BlazeFaceAnchors.FineCount],
                minScore,
                candidates);
            BlazeFaceDecoder.Decode(
                outputs[1].GetTensorDataAsSpan<float>(),
                outputs[3].GetTensorDataAsSpan<float>(),
                anchors[BlazeFaceAnchors.FineCount..],
                minScore,
                candidates);
        }

        var faces = BlazeFaceDecoder.WeightedNonMaxSuppression(candidates, BlazeFaceDecoder.DefaultIouThreshold);
        for (var i = 0; i < faces.Count; i++)
        {
            faces[i] = letterbox.ToFrame(faces[i]);
        }

        return faces;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _session.Dispose();
        }
    }

    /// <summary>
    /// Finds the tensors by shape rather than by name: names differ between conversions of the same model, the shapes
    /// (f32[1,128,128,3] in; scores [1,512,1], [1,384,1]; boxes [1,512,16], [1,384,16] out) do not.
    /// </summary>
    private static (string Input, string[] Outputs) ResolveSignature(InferenceSession session, string path)
    {
        var input = session.InputMetadata.Count == 1 ? session.InputMetadata.First() : default;
        if (input.Value is null
            || input.Value.ElementType != typeof(float)
            || !input.Value.Dimensions.SequenceEqual([1, Size, Size, Channels]))
        {
            throw NotBlazeFace(path, "one f32[1,128,128,3] input");
        }

        string Find(int anchors, int values) =>
            session.OutputMetadata
                .Where(o => o.Value.ElementType == typeof(float)
                    && o.Value.Dimensions.SequenceEqual([1, anchors, values]))
                .Select(o => o.Key)
                .SingleOrDefault()
            ?? throw NotBlazeFace(path, $"an f32[1,{anchors},{values}] output");

        string[] outputs =
        [
            Find(BlazeFaceAnchors.FineCount, 1),
            Find(BlazeFaceAnchors.CoarseCount, 1),
            Find(BlazeFaceAnchors.FineCount, BlazeFaceDecoder.ValuesPerAnchor),
            Find(BlazeFaceAnchors.CoarseCount, BlazeFaceDecoder.ValuesPerAnchor),
        ];
        return (input.Key, outputs);
    }

    private static InvalidDataException NotBlazeFace(string path, string expected) =>
        new($"'{path}' is an ONNX model but not BlazeFace front 128x128 (expected {expected}). {FetchHint}");
}
