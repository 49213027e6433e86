using System.Buffers.Binary;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;

namespace Media.Pipelines.Analysis;

/// <summary>
/// The sound the recogniser hears. A decoder's samples depend on where it began: AAC's perceptual noise substitution
/// fills noise-like bands from a generator that runs from the first frame decoded, so the same utterance decoded in one
/// long pass and in a chunk that seeked near it differs wherever the sound is noise-like, and the recogniser now and then
/// hears another word (1.27% of the words over 20 minutes). So utterances are grouped by where they start into blocks
/// of <see cref="BlockSeconds"/> on the source's clock, and every block is decoded on its own, from
/// <see cref="PrerollSeconds"/> before it to a fixed length: its samples depend only on the source and the block,
/// whichever worker decodes it and whatever else that worker analyses. The blocks are laid end to end in one WAV, each
/// at a whole second, so a frame of the recogniser falls on the same samples of its block in every layout, with
/// <see cref="GapSeconds"/> of silence between them, so a recogniser that hears neighbouring utterances together (Whisper's
/// windows) never hears two blocks as one stretch of sound.
/// </summary>
public static class UtteranceSound
{
    public const double BlockSeconds = 60;

    /// <summary>Decoded before the block and thrown away: a decoder's first frame lacks the overlap of the one before it.</summary>
    public const double PrerollSeconds = 1;

    public const int SampleRate = PcmWavReader.SampleRate;

    /// <summary>Silence after every block in the WAV: as long as the longest window Whisper hears at once.</summary>
    public const int GapSeconds = (int)Speech.Whisper.AudioChunker.MaxSeconds;

    /// <summary>
    /// Every block's decode runs this far past the block's end: its last utterance may start just before the end and be
    /// <see cref="SpeechUtterances.LongestSeconds"/> long, and the resampler's last samples are flushed a little early.
    /// The length depends neither on which utterances a worker owns nor on the source's length (a decode stops at the
    /// file's end, and silence fills its slot), so neither does any sample.
    /// </summary>
    public const double ReachSeconds = SpeechUtterances.LongestSeconds + 1;

    /// <summary>One block: decoded from <see cref="From"/> to <see cref="Until"/> (seconds of the source), for these utterances.</summary>
    public sealed record Block(double From, double Until, IReadOnlyList<TimeRange> Utterances);

    /// <summary>The blocks holding these utterances (on the source's clock), in order.</summary>
    public static IReadOnlyList<Block> Blocks(IReadOnlyList<TimeRange> utterances) =>
        [.. utterances.OrderBy(u => u.Start)
            .GroupBy(u => Math.Floor(u.Start / BlockSeconds))
            .Select(g => new Block(Math.Max(0, (g.Key * BlockSeconds) - PrerollSeconds), ((g.Key + 1) * BlockSeconds) + ReachSeconds, [.. g]))];

    /// <summary>Whole seconds of a block's sound in the WAV (silence where the source ended first).</summary>
    public static int SoundSeconds(Block block) => (int)Math.Ceiling(block.Until - block.From);

    /// <summary>Whole seconds a block takes in the WAV: its sound, then the gap.</summary>
    public static int SlotSeconds(Block block) => SoundSeconds(block) + GapSeconds;

    /// <summary>Decodes the blocks into one 16 kHz mono WAV at <paramref name="wavPath"/> and says where each landed.</summary>
    public static async Task<Layout> DecodeAsync(ToolRunner runner, string ffmpeg, string input, IReadOnlyList<Block> blocks, string wavPath, CancellationToken cancellationToken)
    {
        var raw = wavPath + ".block.raw";
        try
        {
            await using var wav = new FileStream(wavPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await wav.WriteAsync(new byte[WavHeaderBytes], cancellationToken);
            foreach (var block in blocks)
            {
                await runner.RunAsync(ffmpeg, AnalysisCommands.UtteranceBlock(input, new DecodeWindow(block.From, block.Until), raw).ToArguments(), cancellationToken);
                // Whole seconds per block, padded with silence (or cut at a rounding sample), then the gap.
                long copied;
                await using (var samples = new FileStream(raw, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
                {
                    copied = await CopyAtMostAsync(samples, wav, (long)SoundSeconds(block) * SampleRate * sizeof(short), cancellationToken);
                }

                await WriteSilenceAsync(wav, ((long)SlotSeconds(block) * SampleRate * sizeof(short)) - copied, cancellationToken);
            }

            var data = wav.Position - WavHeaderBytes;
            wav.Position = 0;
            await wav.WriteAsync(WavHeader(data), cancellationToken);
        }
        finally
        {
            File.Delete(raw);
        }

        return new Layout(blocks);
    }

    /// <summary>Where each block lies in the WAV: block i from second <see cref="Starts"/>[i], <see cref="Seconds"/>[i] long (<see cref="SlotSeconds"/>).</summary>
    public sealed class Layout
    {
        private readonly IReadOnlyList<Block> _blocks;

        public Layout(IReadOnlyList<Block> blocks)
        {
            _blocks = blocks;
            Seconds = [.. blocks.Select(SlotSeconds)];
            var starts = new int[blocks.Count];
            for (var i = 1; i < starts.Length; i++)
            {
                starts[i] = starts[i - 1] + Seconds[i - 1];
            }

            Starts = starts;
        }

        public IReadOnlyList<int> Starts { get; }

        public IReadOnlyList<int> Seconds { get; }

        /// <summary>
        /// The utterances on the WAV's clock. Each edge is first put on the recogniser's 10 ms frame grid relative to its
        /// block, then moved by the block's whole seconds, so it lands on the same samples of the block in every layout.
        /// </summary>
        public IReadOnlyList<TimeRange> Utterances() =>
            [.. _blocks.SelectMany((b, i) => b.Utterances.Select(u => new TimeRange(Starts[i] + OnFrame(u.Start - b.From), Starts[i] + OnFrame(u.End - b.From))))];

        /// <summary>A word heard in the WAV, back on the source's clock (null if it lies in no block).</summary>
        public Word? ToSource(Word word)
        {
            for (var i = 0; i < _blocks.Count; i++)
            {
                if (word.Start >= Starts[i] && word.Start < Starts[i] + Seconds[i])
                {
                    var shift = _blocks[i].From - Starts[i];
                    return word with { Start = Math.Round(word.Start + shift, 3), End = Math.Round(word.End + shift, 3) };
                }
            }

            return null;
        }

        private static double OnFrame(double seconds) =>
            Math.Round(seconds * PocketSphinxRecognizer.FramesPerSecond) / PocketSphinxRecognizer.FramesPerSecond;
    }

    private const int WavHeaderBytes = 44;

    private static byte[] WavHeader(long dataBytes)
    {
        var header = new byte[WavHeaderBytes];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)Math.Min(uint.MaxValue, dataBytes + 36));
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), SampleRate * sizeof(short));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), sizeof(short));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)Math.Min(uint.MaxValue, dataBytes));
        return header;
    }

    private static async Task WriteSilenceAsync(Stream to, long bytes, CancellationToken cancellationToken)
    {
        var zeros = new byte[1 << 16];
        for (var left = bytes; left > 0; left -= zeros.Length)
        {
            await to.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, left)), cancellationToken);
        }
    }

    private static async Task<long> CopyAtMostAsync(Stream from, Stream to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long copied = 0;
        int read;
        while (copied < limit && (read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - copied)), cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            copied += read;
        }

        return copied;
    }
}
