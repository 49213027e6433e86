using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;

namespace Media.UnitTests.Analysis;

/// <summary>One analysis part's progress from its sound and pictures sides (the stage's progress bar).</summary>
public sealed class AnalysisProgressTests
{
    [Fact]
    public void WordsAndFaces_RecognitionMovesTheBar_WeightedBySidesCost()
    {
        var reported = new List<double>();
        var progress = new AnalysisProgress(AnalysisNeeds.Loudness | AnalysisNeeds.Speech | AnalysisNeeds.Words | AnalysisNeeds.Faces, hasAudio: true, reported.Add);

        progress.PictureDecode(1);
        progress.FaceSamples(1); // the pictures done first: a small part of a chunk with words
        progress.Loudness(1);
        progress.VoiceActivity(1);
        progress.RecognizerSound(1);
        var beforeRecognition = reported[^1];
        progress.Recognition(0.5);
        var halfway = reported[^1];
        progress.Recognition(1);

        Assert.InRange(reported[0], 0.05, 0.15);
        Assert.InRange(beforeRecognition, 0.2, 0.3);
        Assert.InRange(halfway, 0.55, 0.65);
        Assert.Equal(1, reported[^1], 9);
        Assert.Equal(reported.Order(), reported);
    }

    [Fact]
    public void NeverGoesBack_AndAStepReportedTwiceSaysNothingNew()
    {
        var reported = new List<double>();
        var progress = new AnalysisProgress(AnalysisNeeds.Speech | AnalysisNeeds.Faces, hasAudio: true, reported.Add);

        progress.VoiceActivity(0.5);
        progress.VoiceActivity(0.25);
        progress.VoiceActivity(0.5);
        progress.FaceSamples(0.5); // half the samples read means the decode is done: pictures 0.7 + 0.3 * 0.5
        progress.PictureDecode(0.5);
        progress.FaceSamples(0.25);

        Assert.Equal([0.25, 0.675], reported.Select(r => Math.Round(r, 9)));
    }

    [Fact]
    public void SilentSource_ThePicturesAreAllOfIt()
    {
        var reported = new List<double>();
        var progress = new AnalysisProgress(AnalysisNeeds.Loudness | AnalysisNeeds.Words | AnalysisNeeds.Faces, hasAudio: false, reported.Add);

        progress.PictureDecode(0.5);
        progress.PictureDecode(1);
        progress.FaceSamples(0.5);
        progress.FaceSamples(1);

        // The decode is 70% of the pictures (a 120 s chunk of 640x360: 1.5 s, the faces 0.5 s).
        Assert.Equal([0.35, 0.7, 0.85, 1.0], reported.Select(r => Math.Round(r, 9)));
    }

    [Fact]
    public void Speakers_TheSamplesWeighMoreThanTheDecode()
    {
        var reported = new List<double>();
        var progress = new AnalysisProgress(AnalysisNeeds.Faces | AnalysisNeeds.Speakers, hasAudio: false, reported.Add);

        progress.PictureDecode(1);
        progress.FaceSamples(1);

        Assert.Equal([0.35, 1.0], reported.Select(r => Math.Round(r, 9)));
    }

    [Fact]
    public void WordsWithoutLoudness_TheSoundStillEndsAtOne()
    {
        var reported = new List<double>();
        var progress = new AnalysisProgress(AnalysisNeeds.Words, hasAudio: true, reported.Add);

        progress.VoiceActivity(1);
        progress.RecognizerSound(1);
        progress.Recognition(1);

        Assert.Equal(1, reported[^1], 9);
    }
}
