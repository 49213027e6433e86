using Media.Pipelines.Analysis;

namespace Media.Pipelines.Speech;

/// <summary>
/// Speech to timed words. One instance per backend is shared by all jobs (models load once); each call is
/// independent. Input is 16 kHz mono 16-bit PCM WAV.
/// </summary>
public interface IRecognizer
{
    string Backend { get; }

    string Model { get; }

    /// <param name="utterances">Where people speak, in seconds of the file (<see cref="SpeechUtterances"/>): each is recognised on its own, nothing outside them.</param>
    /// <param name="script">When given, recognition is constrained to these words (in this order, mostly).</param>
    /// <param name="progress">How much of the utterances' length has been heard (0-1), as recognition goes; 1 when it has ended.</param>
    Task<IReadOnlyList<Word>> RecognizeAsync(string wavPath, IReadOnlyList<TimeRange> utterances, string? script, string workDirectory, Action<double> progress, CancellationToken cancellationToken);
}
