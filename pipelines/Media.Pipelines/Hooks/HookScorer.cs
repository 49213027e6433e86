using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Media.Pipelines.Hooks;

/// <summary>
/// Runs a hook model (ONNX Runtime, loaded once and shared; sessions are thread-safe for Run) over feature rows
/// in one batch. A model whose features differ from <see cref="HookFeatures.Names"/> is refused at load.
/// </summary>
public sealed class HookScorer : IDisposable
{
    private readonly InferenceSession _session;

    public HookScorer(IOptions<HookOptions> options)
        : this(string.IsNullOrWhiteSpace(options.Value.Model) ? HookModel.Default().ToOnnx() : ReadModel(options.Value.Model), options.Value.Model)
    {
    }

    public HookScorer(byte[] onnx, string source = "built-in")
    {
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(onnx, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"The hook model ({source}) is not a loadable ONNX model: {ex.Message}", ex);
        }

        var metadata = _session.ModelMetadata;
        var features = metadata.CustomMetadataMap.GetValueOrDefault(HookModel.FeaturesKey) ?? string.Empty;
        if (features != string.Join(',', HookFeatures.Names))
        {
            _session.Dispose();
            throw new InvalidDataException($"The hook model ({source}) was made for features [{features}], not this farm's [{string.Join(',', HookFeatures.Names)}]; train it again with `media hooks train`.");
        }

        Version = (int)metadata.Version;
    }

    public int Version { get; }

    public string Name => $"hooks-v{Version}";

    /// <summary>Every window of a source: its features, score and contributions.</summary>
    public HookWindows Windows(Analysis.SourceAnalysis analysis)
    {
        var features = HookFeatures.Extract(analysis);
        var (scores, contributions) = Score(features);
        return new HookWindows(Name, HookFeatures.StepSeconds, features, scores, contributions);
    }

    /// <summary>Scores and per-feature contributions (to the logit) of every row.</summary>
    public (float[] Scores, float[][] Contributions) Score(IReadOnlyList<float[]> rows)
    {
        var width = HookFeatures.Names.Count;
        if (rows.Count == 0)
        {
            return ([], []);
        }

        var flat = new float[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(flat, i * width);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(flat, [rows.Count, width]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [HookModel.InputName], [input], [HookModel.ScoreName, HookModel.ContributionsName]);
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var all = outputs[1].GetTensorDataAsSpan<float>();
        var contributions = new float[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            contributions[i] = all.Slice(i * width, width).ToArray();
        }

        return (scores, contributions);
    }

    public void Dispose() => _session.Dispose();

    private static byte[] ReadModel(string path) => File.Exists(path)
        ? File.ReadAllBytes(path)
        : throw new FileNotFoundException($"The hook model is missing at {path} (Media:Hooks:Model); leave it empty for the built-in model.", path);
}
