using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Analysis;

/// <summary>
/// One part's progress from its two sides, which run at once: the sound (loudness, voice activity, the recogniser's
/// sound, recognition, in that order) and the pictures (the decode that also finds the scene cuts, then the face
/// samples as they are read). Each side reports how far it is; the part's progress is their weighted sum, at most 1, and
/// never goes back. The report is called under a lock, in order: it must not block. Weights and shares are each step's rough cost on one core (the
/// 20-minute bench's chunks: recognition about 80% of a chunk, faces at 2 fps under 10%, of which the decode is about
/// 70%: 1.4-1.5 s against 0.5-0.6 s of detection for 120 s of 640x360), so that a chunk with words moves while it
/// recognises, and one without while it decodes, instead of sitting still until the step ends.
/// </summary>
public sealed class AnalysisProgress
{
    private readonly Lock _gate = new();
    private readonly Action<double> _report;
    private readonly double _soundWeight;
    private readonly double _pictureWeight;
    // The sound's steps' shares: loudness, voice activity, the recogniser's sound, recognition.
    private readonly double[] _shares;
    // The pictures' decode share; the face samples have the rest.
    private readonly double _decodeShare;
    private double _sound;
    private double _pictures;
    private double _reported;

    public AnalysisProgress(AnalysisNeeds needs, bool hasAudio, Action<double> report)
    {
        _report = report;
        var words = needs.HasFlag(AnalysisNeeds.Words);
        var sound = hasAudio && (words || needs.HasFlag(AnalysisNeeds.Loudness) || needs.HasFlag(AnalysisNeeds.Speech));
        _soundWeight = !sound ? 0 : words ? 10 : 1;
        _pictureWeight = !needs.HasFlag(AnalysisNeeds.Faces) ? 0 : needs.HasFlag(AnalysisNeeds.Speakers) ? 4 : 1;
        // The speaker rate detects four times as many samples (and compares mouths) from the same decode: estimated from
        // the 2 fps measurement (four times its detection gives about 0.4 before the mouths), not measured.
        _decodeShare = needs.HasFlag(AnalysisNeeds.Speakers) ? 0.35 : 0.7;
        double[] shares =
        [
            needs.HasFlag(AnalysisNeeds.Loudness) ? (words ? 0.02 : 0.2) : 0,
            words || needs.HasFlag(AnalysisNeeds.Speech) ? (words ? 0.1 : 0.8) : 0,
            words ? 0.03 : 0,
            words ? 0.85 : 0,
        ];
        var sum = shares.Sum();
        _shares = [.. shares.Select(s => sum > 0 ? s / sum : 0)];
    }

    public void Loudness(double fraction) => Sound(0, fraction);

    public void VoiceActivity(double fraction) => Sound(1, fraction);

    public void RecognizerSound(double fraction) => Sound(2, fraction);

    public void Recognition(double fraction) => Sound(3, fraction);

    /// <summary>How much of the video the decode (face frames and scene cuts) has been through.</summary>
    public void PictureDecode(double fraction) => Update(ref _pictures, _decodeShare * Math.Clamp(fraction, 0, 1));

    /// <summary>How many of the decoded face samples have been looked at.</summary>
    public void FaceSamples(double fraction) => Update(ref _pictures, _decodeShare + ((1 - _decodeShare) * Math.Clamp(fraction, 0, 1)));

    private void Sound(int step, double fraction) => Update(ref _sound, _shares.Take(step).Sum() + (_shares[step] * Math.Clamp(fraction, 0, 1)));

    private void Update(ref double side, double value)
    {
        lock (_gate)
        {
            side = Math.Max(side, value);
            var total = _soundWeight + _pictureWeight;
            var combined = total <= 0 ? 0 : Math.Min(1, ((_soundWeight * _sound) + (_pictureWeight * _pictures)) / total);
            if (combined > _reported)
            {
                _reported = combined;
                _report(combined);
            }
        }
    }
}
