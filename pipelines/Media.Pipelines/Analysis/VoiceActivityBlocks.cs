using Media.Pipelines.Tools;

namespace Media.Pipelines.Analysis;

/// <summary>
/// The voice activity of a stretch of the source, identical whichever worker computes it and whatever stretch it was
/// asked for. The voice-activity model carries a memory from window to window, and a decoder's samples depend on
/// where it began (see <see cref="UtteranceSound"/>), so a chunk that decoded from its own lead found a segment's edge a
/// 32 ms window away from one pass now and then, which moved an utterance and so the words heard in it. Here the
/// source is cut into blocks of <see cref="BlockSeconds"/> on its clock; each block is decoded on its own from
/// <see cref="WarmupSeconds"/> before it (the model starts afresh there, and the windows of the warm-up are dropped) to
/// its end, or the source's end for the last. One pass and every chunk read the same blocks.
/// </summary>
public static class VoiceActivityBlocks
{
    public const double BlockSeconds = 60;

    public const double WarmupSeconds = 8;

    /// <summary>Voice-activity windows per block (both lengths are whole windows).</summary>
    public static readonly int WindowsPerBlock = (int)Math.Round(BlockSeconds / SileroVad.WindowSeconds);

    private static readonly int WarmupWindows = (int)Math.Round(WarmupSeconds / SileroVad.WindowSeconds);

    /// <summary>Where block <paramref name="k"/> is decoded from and to, and how many windows of warm-up come first.</summary>
    public static (DecodeWindow Window, int Warmup) Decode(int k, bool last) =>
        k == 0
            ? (new DecodeWindow(0, last ? null : BlockSeconds), 0)
            : (new DecodeWindow((k * BlockSeconds) - WarmupSeconds, last ? null : (k + 1) * BlockSeconds), WarmupWindows);

    /// <summary>
    /// Speech probabilities of the source's windows <paramref name="first"/> to <paramref name="end"/> (exclusive; null:
    /// to the source's end), window i covering i·32 ms onwards.
    /// </summary>
    /// <param name="progress">The share of the blocks done (0-1), after each.</param>
    public static async Task<float[]> ProbabilitiesAsync(
        ToolRunner runner, string ffmpeg, SileroVad vad, string input, double durationSeconds, int first, int? end, string workDirectory, Action<double> progress, CancellationToken cancellationToken)
    {
        // The last block holds the source's end; it is decoded to the end of the file, whatever the probe said.
        var lastBlock = Math.Max(0, (int)Math.Ceiling((durationSeconds / BlockSeconds) - 1e-9) - 1);
        var probabilities = new List<float>();
        var samples = Path.Combine(workDirectory, "speech.f32");
        try
        {
            var firstBlock = first / WindowsPerBlock;
            var endBlock = end is { } e ? Math.Min(lastBlock + 1, (e + WindowsPerBlock - 1) / WindowsPerBlock) : lastBlock + 1;
            for (var k = firstBlock; k < endBlock; k++)
            {
                var (window, warmup) = Decode(k, k == lastBlock);
                await runner.RunAsync(ffmpeg, AnalysisCommands.Audio(input, null, samples, window).ToArguments(), cancellationToken);
                float[] decoded;
                await using (var stream = new FileStream(samples, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous))
                {
                    decoded = await vad.ProbabilitiesAsync(stream, cancellationToken);
                }

                // A block's own windows only (a rounding sample past its end makes no window of the next block); one that
                // came out short is filled with silence so that every later window keeps its index.
                var own = k == lastBlock ? Math.Max(0, decoded.Length - warmup) : WindowsPerBlock;
                for (var j = 0; j < own; j++)
                {
                    var index = (k * WindowsPerBlock) + j;
                    if (index >= first && (end is null || index < end))
                    {
                        probabilities.Add(warmup + j < decoded.Length ? decoded[warmup + j] : 0f);
                    }
                }

                progress((double)(k - firstBlock + 1) / Math.Max(1, endBlock - firstBlock));
            }
        }
        finally
        {
            File.Delete(samples);
        }

        return [.. probabilities];
    }
}
