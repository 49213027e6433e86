namespace Media.Pipelines.Speech.Whisper;

/// <summary>
/// Reads a ggml whisper model's header before whisper.cpp does, for the one defect it cannot survive: whisper.cpp 1.8.5
/// (Whisper.net 1.9.1's runtime) aborts the whole process with a GGML_ASSERT, which nothing can catch, on a model whose
/// weights are all F32 (its conv kernels must be F16 or quantised). Real ggml models are F16 or quantised.
/// </summary>
public static class GgmlModelHeader
{
    private const uint Magic = 0x67676d6c;

    // Magic, then eleven int32 hyper-parameters; the last is the weight type (ftype, plus 1000 x the quantisation version).
    private const int FtypeOffset = 4 + (10 * 4);

    /// <summary>Why the file cannot be run, or null when its header is a ggml model with F16 or quantised weights.</summary>
    public static string? Problem(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[FtypeOffset + 4];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            return "the file is too short to be a ggml model";
        }

        if (BitConverter.ToUInt32(header) != Magic)
        {
            // whisper.cpp names this itself ("invalid model data (bad magic)"); let it.
            return null;
        }

        var ftype = BitConverter.ToInt32(header[FtypeOffset..]) % 1000;
        return ftype == 0
            ? "its weights are all F32, which whisper.cpp 1.8.5 cannot run (it aborts the process); use an F16 or quantised model, e.g. the published ggml-base.en.bin"
            : null;
    }
}
