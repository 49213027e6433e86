using System.Text;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;
using Whisper.net;

namespace Media.UnitTests.Captions;

public sealed class WhisperPiecesTests
{
    [Fact]
    public void A_word_segment_becomes_a_word_on_the_source_timeline_with_its_least_sure_token()
    {
        var segment = new SegmentData(" café ", TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(1.6), 0.4f, 0.95f, 0.7f, 0f, "en", []);

        var word = WhisperRecognizer.ToWord(segment, 30);

        // Segment text comes from whisper.cpp's own UTF-8 (a character split across BPE tokens is whole).
        Assert.Equal(new Word("café", 31.2, 31.6, 0.4), word! with { Confidence = Math.Round(word.Confidence, 3) });
    }

    [Fact]
    public void Multilingual_and_empty_segments()
    {
        Assert.Equal("日本語", WhisperRecognizer.ToWord(new SegmentData("日本語", TimeSpan.Zero, TimeSpan.FromSeconds(0.5), 0.9f, 0.9f, 0.9f, 0f, "ja", []), 0)!.Text);
        Assert.Null(WhisperRecognizer.ToWord(new SegmentData("  ", TimeSpan.Zero, TimeSpan.FromSeconds(0.1), 0.5f, 0.5f, 0.5f, 0f, "en", []), 0));
        // An end before its start (whisper's timestamps on a stumble) never makes a word of negative length.
        var odd = WhisperRecognizer.ToWord(new SegmentData(" so", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.9), 0.5f, 0.5f, 0.5f, 0f, "en", []), 0)!;
        Assert.Equal((2.0, 2.0), (odd.Start, odd.End));
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
