using System.Text;

namespace Media.Tests.Shared;

/// <summary>
/// Writes a whisper ggml model file with random weights: the real file format (magic, hyper-parameters, mel filters,
/// vocabulary, named tensors), the real tensor shapes and types (F16 weight matrices, as published models have), but
/// one layer of width 64. It recognises nothing; it proves that the recogniser drives a full whisper.cpp run. Shapes
/// follow whisper.cpp's loader (ggml order: fastest dim first). <paramref name="allF32"/> writes the all-F32 variant
/// whisper.cpp 1.8.5 cannot run (it aborts the process), which the recogniser must refuse before loading.
/// </summary>
internal static class TinyWhisperModel
{
    private const int Magic = 0x67676d6c;
    private const int EnglishVocabulary = 51864;
    private const int AudioContext = 1500;
    private const int TextContext = 448;
    private const int State = 64;
    private const int Heads = 2;
    private const int Mels = 80;
    private const int FftBins = 201;

    public static void Write(string path, int seed = 7, bool allF32 = false)
    {
        var random = new Random(seed);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        foreach (var value in new[] { EnglishVocabulary, AudioContext, State, Heads, 1, TextContext, State, Heads, 1, Mels, allF32 ? 0 : 1 /* ftype: f32, f16 */ })
        {
            writer.Write(value);
        }

        writer.Write(Mels);
        writer.Write(FftBins);
        for (var i = 0; i < Mels * FftBins; i++)
        {
            writer.Write((float)random.NextDouble() * 0.01f);
        }

        // A few real words; whisper.cpp names the rest of the vocabulary itself. " " must exist: the decoder
        // suppresses it by name (a model without it terminates the process from inside whisper.cpp).
        string[] words = [" ", "hello", " world", " media", " farm"];
        writer.Write(words.Length);
        foreach (var word in words)
        {
            var bytes = Encoding.UTF8.GetBytes(word);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        Tensor(writer, random, allF32, "encoder.positional_embedding", State, AudioContext);
        Tensor(writer, random, allF32, "encoder.conv1.weight", 3, Mels, State);
        Tensor(writer, random, allF32, "encoder.conv1.bias", 1, State);
        Tensor(writer, random, allF32, "encoder.conv2.weight", 3, State, State);
        Tensor(writer, random, allF32, "encoder.conv2.bias", 1, State);
        Norm(writer, allF32, "encoder.ln_post");
        Block(writer, random, allF32, "encoder.blocks.0", "attn");

        Tensor(writer, random, allF32, "decoder.positional_embedding", State, TextContext);
        Tensor(writer, random, allF32, "decoder.token_embedding.weight", State, EnglishVocabulary);
        Norm(writer, allF32, "decoder.ln");
        Block(writer, random, allF32, "decoder.blocks.0", "attn");
        Attention(writer, random, allF32, "decoder.blocks.0", "cross_attn");
    }

    private static void Block(BinaryWriter writer, Random random, bool allF32, string prefix, string attention)
    {
        Norm(writer, allF32, $"{prefix}.mlp_ln");
        Tensor(writer, random, allF32, $"{prefix}.mlp.0.weight", State, 4 * State);
        Tensor(writer, random, allF32, $"{prefix}.mlp.0.bias", 4 * State);
        Tensor(writer, random, allF32, $"{prefix}.mlp.2.weight", 4 * State, State);
        Tensor(writer, random, allF32, $"{prefix}.mlp.2.bias", State);
        Attention(writer, random, allF32, prefix, attention);
    }

    private static void Attention(BinaryWriter writer, Random random, bool allF32, string prefix, string name)
    {
        Norm(writer, allF32, $"{prefix}.{name}_ln");
        Tensor(writer, random, allF32, $"{prefix}.{name}.query.weight", State, State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.query.bias", State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.key.weight", State, State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.value.weight", State, State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.value.bias", State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.out.weight", State, State);
        Tensor(writer, random, allF32, $"{prefix}.{name}.out.bias", State);
    }

    private static void Norm(BinaryWriter writer, bool allF32, string prefix)
    {
        Tensor(writer, null, allF32, $"{prefix}.weight", State);
        Tensor(writer, null, allF32, $"{prefix}.bias", State);
    }

    /// <summary>Random weights in ±0.1; a null random writes a layer-norm tensor (weights 1, biases 0).</summary>
    private static void Tensor(BinaryWriter writer, Random? random, bool allF32, string name, params int[] shape)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        // whisper.cpp's F16 layout: weight matrices and conv kernels in half precision; biases, norms and the positional
        // embeddings stay F32 (the loader checks each tensor's type against that).
        var half = !allF32 && shape.Length > 1 && name.EndsWith(".weight", StringComparison.Ordinal);
        writer.Write(shape.Length);
        writer.Write(nameBytes.Length);
        writer.Write(half ? 1 : 0);
        foreach (var dim in shape)
        {
            writer.Write(dim);
        }

        writer.Write(nameBytes);
        var count = shape.Aggregate(1, (a, b) => a * b);
        var one = name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
        for (var i = 0; i < count; i++)
        {
            var value = random is null ? one : (float)((random.NextDouble() * 0.2) - 0.1);
            if (half)
            {
                writer.Write((Half)value);
            }
            else
            {
                writer.Write(value);
            }
        }
    }
}
