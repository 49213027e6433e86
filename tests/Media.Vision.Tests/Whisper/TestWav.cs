namespace Media.Vision.Tests.Whisper;

/// <summary>16 kHz mono 16-bit WAV of a warbling tone with short gaps, written without any tool.</summary>
internal static class TestWav
{
    public static void Write(string path, int seconds)
    {
        const int rate = 16000;
        var samples = seconds * rate;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            var t = (double)i / rate;
            var gap = t % 2 > 1.6;
            writer.Write(gap ? (short)0 : (short)(8000 * Math.Sin(2 * Math.PI * (220 + (80 * Math.Sin(t * 3))) * t)));
        }
    }
}
