namespace Media.Pipelines.Speech.Whisper;

/// <summary>
/// Whisper decodes 30-second windows. Long audio is cut into pieces of at most that length, each cut placed at the
/// quietest 100 ms of the piece's last 5 seconds so that a cut rarely splits a word.
/// </summary>
public static class AudioChunker
{
    public const int MaxSeconds = 30;
    private const int SearchSeconds = 5;
    private const int Step = PcmWavReader.SampleRate / 10;

    /// <summary>Where to cut a full buffer: the start of its quietest 100 ms step within the last 5 s.</summary>
    public static int CutPoint(ReadOnlySpan<float> samples)
    {
        var searchFrom = Math.Max(Step, samples.Length - (SearchSeconds * PcmWavReader.SampleRate));
        var best = samples.Length;
        var bestEnergy = double.MaxValue;
        for (var at = searchFrom; at + Step <= samples.Length; at += Step)
        {
            double energy = 0;
            foreach (var s in samples.Slice(at, Step))
            {
                energy += s * s;
            }

            if (energy < bestEnergy)
            {
                bestEnergy = energy;
                best = at + (Step / 2);
            }
        }

        return best;
    }
}
