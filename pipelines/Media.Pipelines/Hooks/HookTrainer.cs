namespace Media.Pipelines.Hooks;

/// <summary>One training example: a feature row (in <see cref="HookFeatures.Names"/> order) and how well it held viewers (0..1).</summary>
public sealed record HookExample(float[] Features, double Label);

/// <summary>
/// Fits the next hook model: logistic regression on standardised features with soft labels (a 3-second hold rate
/// is a probability), full-batch gradient descent with a small L2 penalty. Deterministic: the same examples give
/// the same file. Features that never vary get scale 0, so they cannot pick up a weight from noise.
/// </summary>
public static class HookTrainer
{
    public const int MinExamples = 8;

    public static HookModel Train(int previousVersion, IReadOnlyList<HookExample> examples, string origin, int iterations = 3000, double learningRate = 0.5, double l2 = 1e-3)
    {
        if (examples.Count < MinExamples)
        {
            throw new ArgumentException($"Training needs at least {MinExamples} examples; got {examples.Count}.", nameof(examples));
        }

        var width = HookFeatures.Names.Count;
        if (examples.FirstOrDefault(e => e.Features.Length != width) is { } bad)
        {
            throw new ArgumentException($"Every example needs {width} features ({string.Join(',', HookFeatures.Names)}); one has {bad.Features.Length}.", nameof(examples));
        }

        if (examples.FirstOrDefault(e => e.Label is < 0 or > 1 || double.IsNaN(e.Label)) is { } outside)
        {
            throw new ArgumentException($"Labels are rates between 0 and 1; got {outside.Label}.", nameof(examples));
        }

        var mean = new float[width];
        var scale = new float[width];
        for (var f = 0; f < width; f++)
        {
            var column = examples.Select(e => (double)e.Features[f]).ToList();
            var m = column.Average();
            var sd = Math.Sqrt(column.Average(v => (v - m) * (v - m)));
            mean[f] = (float)m;
            scale[f] = sd < 1e-6 ? 0 : (float)(1 / sd);
        }

        var x = examples.Select(e => e.Features.Select((v, f) => (v - mean[f]) * scale[f]).Select(v => (double)v).ToArray()).ToArray();
        var y = examples.Select(e => e.Label).ToArray();
        var weights = new double[width];
        var labelMean = Math.Clamp(y.Average(), 1e-3, 1 - 1e-3);
        var bias = Math.Log(labelMean / (1 - labelMean));
        var gradient = new double[width];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            Array.Clear(gradient);
            double biasGradient = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var error = Sigmoid(Dot(weights, x[i]) + bias) - y[i];
                for (var f = 0; f < width; f++)
                {
                    gradient[f] += error * x[i][f];
                }

                biasGradient += error;
            }

            for (var f = 0; f < width; f++)
            {
                weights[f] -= learningRate * ((gradient[f] / x.Length) + (l2 * weights[f]));
            }

            bias -= learningRate * biasGradient / x.Length;
        }

        return new HookModel(previousVersion + 1, HookFeatures.Names, mean, scale, [.. weights.Select(w => (float)w)], (float)bias, origin);
    }

    /// <summary>Mean cross-entropy of predicted scores against the examples' labels (lower is better).</summary>
    public static double LogLoss(IReadOnlyList<float> scores, IReadOnlyList<HookExample> examples) => examples.Select((e, i) =>
    {
        var p = Math.Clamp(scores[i], 1e-6, 1 - 1e-6);
        return -((e.Label * Math.Log(p)) + ((1 - e.Label) * Math.Log(1 - p)));
    }).Average();

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
