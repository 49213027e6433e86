using System.Text;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;

namespace Media.UnitTests.Captions;

public sealed class WhisperPiecesTests
{
    [Fact]
    public void Tokens_join_into_words_at_leading_spaces()
    {
        var words = WhisperToken.ToWords(
        [
            Token(" Hel", 0.0, 0.2, 0.9f),
            Token("lo", 0.2, 0.4, 0.6f),
            Token(",", 0.4, 0.45, 0.95f),
            Token(" world", 0.5, 0.9, 0.8f),
        ]);

        Assert.Equal(["Hello,", "world"], words.Select(w => w.Text));
        Assert.Equal((0.0, 0.45, 0.6f), (words[0].Start, words[0].End, (float)words[0].Confidence));
        Assert.Equal((0.5, 0.9), (words[1].Start, words[1].End));
    }

    [Fact]
    public void A_character_split_across_tokens_survives()
    {
        var e = Encoding.UTF8.GetBytes("é");
        var words = WhisperToken.ToWords(
        [
            new WhisperToken([(byte)' ', (byte)'c', (byte)'a', (byte)'f', e[0]], 0, 0.3, 0.9f),
            new WhisperToken([e[1]], 0.3, 0.4, 0.9f),
        ]);

        Assert.Equal("café", Assert.Single(words).Text);
    }

    [Fact]
    public void Whitespace_only_tokens_make_no_word()
    {
        Assert.Empty(WhisperToken.ToWords([Token(" ", 0, 0.1, 0.5f), Token(" ", 0.1, 0.2, 0.5f)]));
    }

    [Fact]
    public void Long_audio_is_cut_in_its_quietest_moment_near_the_end()
    {
        var samples = new float[AudioChunker.MaxSeconds * PcmWavReader.SampleRate];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / PcmWavReader.SampleRate;
            samples[i] = t is > 27.0 and < 27.3 ? 0.001f : (float)(0.5 * Math.Sin(i * 0.05));
        }

        var cut = AudioChunker.CutPoint(samples) / (double)PcmWavReader.SampleRate;

        Assert.InRange(cut, 27.0, 27.3);
    }

    [Fact]
    public void Wav_reader_streams_16k_mono_samples_and_refuses_other_formats()
    {
        var path = Path.GetTempFileName();
        try
        {
            WriteWav(path, 16000, 1, [0, 16384, -32768, 32767]);
            using (var reader = PcmWavReader.Open(path))
            {
                var buffer = new float[3];
                Assert.Equal(3, reader.Read(buffer));
                Assert.Equal([0f, 0.5f, -1f], buffer);
                Assert.Equal(1, reader.Read(buffer));
                Assert.Equal(0, reader.Read(buffer));
            }

            WriteWav(path, 44100, 2, [0, 0]);
            var error = Assert.Throws<InvalidDataException>(() => PcmWavReader.Open(path));
            Assert.Contains("2 channel(s), 44100 Hz", error.Message, StringComparison.Ordinal);

            File.WriteAllText(path, "hello");
            Assert.Throws<InvalidDataException>(() => PcmWavReader.Open(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static WhisperToken Token(string text, double start, double end, float p) => new(Encoding.UTF8.GetBytes(text), start, end, p);

    private static void WriteWav(string path, int rate, short channels, short[] samples)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + 26 + (samples.Length * 2));
        writer.Write("WAVE"u8);

        // A LIST chunk before the format, as ffmpeg writes: it must be skipped.
        writer.Write("LIST"u8);
        writer.Write(18);
        writer.Write(new byte[18]);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write(channels);
        writer.Write(rate);
        writer.Write(rate * 2 * channels);
        writer.Write((short)(2 * channels));
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples.Length * 2);
        foreach (var s in samples)
        {
            writer.Write(s);
        }
    }
}
