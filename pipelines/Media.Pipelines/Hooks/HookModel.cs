using System.Globalization;

namespace Media.Pipelines.Hooks;

/// <summary>
/// The hook scorer: a logistic model over standardised window features. Written as an ONNX graph
/// (Sub, Mul, Mul, ReduceSum, Add, Sigmoid; opset 13) with two outputs: the score (0..1) and each feature's
/// contribution to the logit, which are the explanations. The version and the feature names travel in the
/// file's metadata, so a model trained on other features is refused at load.
/// </summary>
/// <param name="Mean">Subtracted from each feature (0 in the default model).</param>
/// <param name="Scale">Multiplies each centred feature (1 / standard deviation after training; 1 in the default model).</param>
public sealed record HookModel(int Version, IReadOnlyList<string> Features, float[] Mean, float[] Scale, float[] Weights, float Bias, string Origin)
{
    public const string FeaturesKey = "media.hooks.features";
    public const string OriginKey = "media.hooks.origin";
    public const string InputName = "features";
    public const string ScoreName = "score";
    public const string ContributionsName = "contributions";

    private const int OnnxFloat = 1;
    private const int OnnxInt64 = 7;
    private const int IrVersion = 8;
    private const int Opset = 13;

    public string Name => $"hooks-v{Version}";

    /// <summary>
    /// Version 1: weights set by hand from what short-form retention guidance and studies consistently report
    /// (see the README's "Hook detection" section): an opening with speech at once, a face (close and centred),
    /// direct address, a question or a number, and a visual or loudness change score high; silence scores low.
    /// </summary>
    public static HookModel Default()
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal)
        {
            ["speech"] = 0.8f, ["speech_onset"] = 0.6f, ["loudness"] = 0.4f, ["loudness_jump"] = 0.5f, ["scene_cut"] = 0.4f, ["motion"] = 0.4f,
            ["face"] = 0.7f, ["face_size"] = 0.6f, ["face_centered"] = 0.3f, ["face_count"] = 0.1f, ["speech_rate"] = 0.5f,
            ["question"] = 0.6f, ["second_person"] = 0.5f, ["number"] = 0.4f, ["superlative"] = 0.4f, ["imperative"] = 0.5f,
        };
        var names = HookFeatures.Names;
        return new HookModel(
            1,
            names,
            new float[names.Count],
            [.. Enumerable.Repeat(1f, names.Count)],
            [.. names.Select(n => weights[n])],
            -2.5f,
            "default: hand-set weights from published short-form retention findings");
    }

    /// <summary>Score and per-feature logit contributions of one row, without ONNX Runtime: the arithmetic the ONNX graph must reproduce.</summary>
    public (float Score, float[] Contributions) Evaluate(ReadOnlySpan<float> row)
    {
        var contributions = new float[Weights.Length];
        var logit = Bias;
        for (var i = 0; i < Weights.Length; i++)
        {
            contributions[i] = (row[i] - Mean[i]) * Scale[i] * Weights[i];
            logit += contributions[i];
        }

        return (1f / (1f + MathF.Exp(-logit)), contributions);
    }

    /// <summary>The model as an ONNX file (ModelProto).</summary>
    public byte[] ToOnnx()
    {
        var n = Features.Count;
        var graph = new ProtoWriter()
            .Message(1, Node("Sub", [InputName, "mean"], ["centred"]))
            .Message(1, Node("Mul", ["centred", "scale"], ["standardised"]))
            .Message(1, Node("Mul", ["standardised", "weights"], [ContributionsName]))
            .Message(1, Node("ReduceSum", [ContributionsName, "axes"], ["sum"], keepDims: 1))
            .Message(1, Node("Add", ["sum", "bias"], ["logit"]))
            .Message(1, Node("Sigmoid", ["logit"], [ScoreName]))
            .String(2, Name)
            .Message(5, FloatTensor("mean", [n], Mean))
            .Message(5, FloatTensor("scale", [n], Scale))
            .Message(5, FloatTensor("weights", [n], Weights))
            .Message(5, FloatTensor("bias", [1], [Bias]))
            .Message(5, w => w.Varint(1, 1).Varint(2, OnnxInt64).Varint(7, 1).String(8, "axes"))
            .Message(11, Value(InputName, n))
            .Message(12, Value(ScoreName, 1))
            .Message(12, Value(ContributionsName, n));

        return new ProtoWriter()
            .Varint(1, IrVersion)
            .String(2, "media-farm")
            .String(3, Name)
            .Varint(5, Version)
            .String(6, Origin)
            .Message(7, graph)
            .Message(8, w => w.String(1, string.Empty).Varint(2, Opset))
            .Message(14, w => w.String(1, FeaturesKey).String(2, string.Join(',', Features)))
            .Message(14, w => w.String(1, OriginKey).String(2, Origin))
            .ToArray();
    }

    public override string ToString() =>
        string.Join(", ", Features.Select((f, i) => string.Create(CultureInfo.InvariantCulture, $"{f} {Math.Round(Weights[i] * Scale[i], 2) + 0.0:+0.00;-0.00;0.00}"))) + string.Create(CultureInfo.InvariantCulture, $", bias {Bias:0.00}");

    private static ProtoWriter Node(string op, string[] inputs, string[] outputs, int? keepDims = null)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, op + "_" + outputs[0]).String(4, op);
        if (keepDims is { } keep)
        {
            // AttributeProto: name, i, type = INT (2).
            node.Message(5, a => a.String(1, "keepdims").Varint(3, keep).Varint(20, 2));
        }

        return node;
    }

    private static ProtoWriter FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        var raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return tensor.Varint(2, OnnxFloat).String(8, name).Bytes(9, raw);
    }

    // A [batch, width] float tensor; the batch dimension is symbolic.
    private static ProtoWriter Value(string name, int width) => new ProtoWriter()
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Varint(1, OnnxFloat)
            .Message(2, shape => shape
                .Message(1, d => d.String(2, "batch"))
                .Message(1, d => d.Varint(1, width)))));
}
