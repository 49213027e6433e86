using System.Buffers.Binary;

namespace Media.Pipelines.Speech;

/// <summary>
/// Streams a 16 kHz mono 16-bit PCM WAV (what the analysis stage extracts) as float samples in [-1, 1], a block at a
/// time, so recognizers never hold a whole long source in memory.
/// </summary>
public sealed class PcmWavReader : IDisposable
{
    public const int SampleRate = 16000;
    private readonly Stream _stream;
    private byte[] _bytes = [];
    private readonly long _dataBytes;
    private long _remainingBytes;

    private PcmWavReader(Stream stream, long dataBytes)
    {
        _stream = stream;
        _remainingBytes = _dataBytes = dataBytes;
        DataOffset = stream.Position;
    }

    /// <summary>Where the samples begin in the file (bytes of header before them).</summary>
    public long DataOffset { get; }

    /// <summary>Opens the file and checks its format; anything but 16 kHz mono 16-bit PCM is refused with what it is instead.</summary>
    public static PcmWavReader Open(string path)
    {
        var stream = File.OpenRead(path);
        try
        {
            var header = new byte[12];
            if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12
                || !header.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !header.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            {
                throw new InvalidDataException($"{path} is not a RIFF/WAVE file.");
            }

            var chunk = new byte[8];
            var formatChecked = false;
            while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
            {
                var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(4));
                if (chunk.AsSpan(0, 4).SequenceEqual("fmt "u8))
                {
                    var format = new byte[size];
                    stream.ReadExactly(format);
                    var (tag, channels, rate, bits) = (BinaryPrimitives.ReadUInt16LittleEndian(format), BinaryPrimitives.ReadUInt16LittleEndian(format.AsSpan(2)),
                        BinaryPrimitives.ReadInt32LittleEndian(format.AsSpan(4)), BinaryPrimitives.ReadUInt16LittleEndian(format.AsSpan(14)));
                    if (tag != 1 || channels != 1 || rate != SampleRate || bits != 16)
                    {
                        throw new InvalidDataException($"{path} is format {tag}, {channels} channel(s), {rate} Hz, {bits} bit; 16 kHz mono 16-bit PCM is needed.");
                    }

                    formatChecked = true;
                }
                else if (chunk.AsSpan(0, 4).SequenceEqual("data"u8))
                {
                    if (!formatChecked)
                    {
                        throw new InvalidDataException($"{path} has its data before its format chunk.");
                    }

                    // A WAV written to a pipe carries 0xFFFFFFFF: read to the end then.
                    return new PcmWavReader(stream, size == uint.MaxValue ? long.MaxValue : size);
                }
                else
                {
                    stream.Seek(size + (size & 1), SeekOrigin.Current);
                }
            }

            throw new InvalidDataException($"{path} has no data chunk.");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Moves to sample <paramref name="index"/> (0: the first); past the end, reads return nothing.</summary>
    public void Seek(long index)
    {
        var bytes = Math.Clamp(index * 2, 0, _dataBytes == long.MaxValue ? long.MaxValue : _dataBytes);
        _stream.Position = DataOffset + bytes;
        _remainingBytes = _dataBytes == long.MaxValue ? long.MaxValue : _dataBytes - bytes;
    }

    /// <summary>Fills <paramref name="samples"/> from the current position; returns how many were read (0 at the end).</summary>
    public int Read(Span<float> samples)
    {
        var wanted = (int)Math.Min(samples.Length * 2L, _remainingBytes & ~1L);
        if (wanted == 0)
        {
            return 0;
        }

        if (_bytes.Length < wanted)
        {
            _bytes = new byte[wanted];
        }

        var got = _stream.ReadAtLeast(_bytes.AsSpan(0, wanted), wanted, throwOnEndOfStream: false) & ~1;
        _remainingBytes -= got;
        for (var i = 0; i < got / 2; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(_bytes.AsSpan(i * 2)) / 32768f;
        }

        return got / 2;
    }

    public void Dispose() => _stream.Dispose();
}
