using Media.Pipelines.Hooks;

namespace Media.UnitTests.Hooks;

public sealed class HookModelTests
{
    [Fact]
    public void Default_model_written_as_onnx_scores_like_its_own_arithmetic()
    {
        var model = HookModel.Default();
        using var scorer = new HookScorer(model.ToOnnx());
        var random = new Random(3);
        var rows = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, HookFeatures.Names.Count).Select(_ => (float)random.NextDouble()).ToArray()).ToList();

        var (scores, contributions) = scorer.Score(rows);

        Assert.Equal(1, scorer.Version);
        Assert.Equal("hooks-v1", scorer.Name);
        for (var i = 0; i < rows.Count; i++)
        {
            var (expected, parts) = model.Evaluate(rows[i]);
            Assert.Equal(expected, scores[i], 5);
            Assert.Equal(parts, contributions[i], (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [Fact]
    public void A_talking_opening_outscores_silence_under_the_default_weights()
    {
        using var scorer = new HookScorer(HookModel.Default().ToOnnx());
        var silent = new float[HookFeatures.Names.Count];
        var talking = Row(("speech", 1), ("speech_onset", 1), ("face", 1), ("face_size", 0.6f), ("second_person", 1), ("question", 1));

        var (scores, _) = scorer.Score([silent, talking]);

        Assert.True(scores[1] > 0.7 && scores[0] < 0.1, $"talking {scores[1]}, silent {scores[0]}");
    }

    [Fact]
    public void A_model_for_other_features_is_refused_at_load()
    {
        var other = new HookModel(1, ["a", "b"], [0, 0], [1, 1], [1, 1], 0, "other features");

        var error = Assert.Throws<InvalidDataException>(() => new HookScorer(other.ToOnnx(), "other.onnx"));
        Assert.Contains("other.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("media hooks train", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_onnx_are_refused_naming_the_source()
    {
        var error = Assert.Throws<InvalidDataException>(() => new HookScorer([1, 2, 3, 4], "junk.onnx"));
        Assert.Contains("junk.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_round_trips_through_onnx_and_moves_scores_toward_the_labels()
    {
        // Made-up engagement: clips that open on a face hold viewers, clips that open on motion alone do not,
        // the opposite of nothing in particular in the default weights for motion (+0.4).
        var random = new Random(11);
        var examples = new List<HookExample>();
        for (var i = 0; i < 200; i++)
        {
            var face = random.NextDouble() < 0.5 ? 1f : 0f;
            var motion = (float)random.NextDouble();
            var row = Row(("face", face), ("motion", motion), ("speech", (float)random.NextDouble()));
            examples.Add(new HookExample(row, Math.Clamp(0.2 + (0.6 * face) - (0.3 * motion) + ((random.NextDouble() - 0.5) * 0.1), 0, 1)));
        }

        var trained = HookTrainer.Train(1, examples, "test labels");
        using var before = new HookScorer(HookModel.Default().ToOnnx());
        using var after = new HookScorer(trained.ToOnnx());

        Assert.Equal(2, after.Version);
        var rows = examples.Select(e => e.Features).ToList();
        Assert.True(HookTrainer.LogLoss(after.Score(rows).Scores, examples) < HookTrainer.LogLoss(before.Score(rows).Scores, examples));

        var faceOn = after.Score([Row(("face", 1), ("motion", 0.5f), ("speech", 0.5f))]).Scores[0];
        var faceOff = after.Score([Row(("face", 0), ("motion", 0.5f), ("speech", 0.5f))]).Scores[0];
        var still = after.Score([Row(("face", 0.5f), ("motion", 0), ("speech", 0.5f))]).Scores[0];
        var moving = after.Score([Row(("face", 0.5f), ("motion", 1), ("speech", 0.5f))]).Scores[0];
        Assert.True(faceOn - faceOff > 0.4, $"face on {faceOn}, off {faceOff}");
        Assert.True(still > moving, $"still {still}, moving {moving}: the trained model must learn that motion hurt here");

        // Features that never varied get no weight at all.
        Assert.Equal(0, trained.Scale[HookFeatures.Names.ToList().IndexOf("question")]);
    }

    [Fact]
    public void Training_refuses_too_few_examples_and_labels_outside_zero_to_one()
    {
        var row = new float[HookFeatures.Names.Count];
        Assert.Throws<ArgumentException>(() => HookTrainer.Train(1, [new HookExample(row, 0.5)], "x"));
        var error = Assert.Throws<ArgumentException>(() => HookTrainer.Train(1, [.. Enumerable.Repeat(new HookExample(row, 3), 10)], "x"));
        Assert.Contains("between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    internal static float[] Row(params (string Name, float Value)[] values)
    {
        var row = new float[HookFeatures.Names.Count];
        foreach (var (name, value) in values)
        {
            row[HookFeatures.Names.ToList().IndexOf(name)] = value;
        }

        return row;
    }
}
