using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class SpeakerShotsTests
{
    [Fact]
    public void Plan_TurnsOfSpeech_SwitchJustBeforeEachNewSpeaker()
    {
        SpeakerTurn[] turns = [new(0.5, 3, 1, 1), new(3.5, 6, 2, 1), new(6.5, 9, 1, 1)];

        var shots = SpeakerShots.Plan(turns, 10);

        Assert.Equal([(0.0, 3.2, (int?)1), (3.2, 6.2, 2), (6.2, 10.0, 1)], shots.Select(s => (Math.Round(s.Start, 3), Math.Round(s.End, 3), s.Track)));
    }

    [Fact]
    public void Plan_Interjection_NoSwitch()
    {
        SpeakerTurn[] turns = [new(0.5, 4, 1, 1), new(4.2, 4.7, 2, 1), new(5, 9, 1, 1)];

        var shots = SpeakerShots.Plan(turns, 10);

        Assert.Equal((int?)1, Assert.Single(shots).Track);
    }

    [Fact]
    public void Plan_QuickBackAndForth_HeldForTheMinimumShot()
    {
        // Speaker 2 answers 1.2 s after speaker 1 started: the switch waits until 2 s into the shot.
        SpeakerTurn[] turns = [new(0, 1.2, 1, 1), new(1.2, 4, 2, 1), new(4.1, 5.2, 1, 1), new(5.3, 9, 2, 1)];

        var shots = SpeakerShots.Plan(turns, 10, minShotSeconds: 2);

        Assert.Equal([(0.0, 2.0, (int?)1), (2.0, 4.0, 2), (4.0, 6.0, 1), (6.0, 10.0, 2)], shots.Select(s => (s.Start, s.End, s.Track)));
        Assert.All(shots.Take(shots.Count - 1), s => Assert.True(s.End - s.Start >= 2 - 1e-9));
    }

    [Fact]
    public void Plan_TurnsWithNoClearSpeaker_Held()
    {
        SpeakerTurn[] turns = [new(0, 3, 1, 1), new(3.5, 7, null, 0.4)];

        var shots = SpeakerShots.Plan(turns, 8);

        Assert.Equal((int?)1, Assert.Single(shots).Track);
    }

    [Fact]
    public void Plan_SceneCut_NewShotOnTheFirstSpeakerAfterIt()
    {
        SpeakerTurn[] turns = [new(0, 4, 1, 1), new(5.5, 9, 3, 1)];

        var shots = SpeakerShots.Plan(turns, 10, sceneCuts: [5]);

        Assert.Equal([(0.0, 5.0, (int?)1), (5.0, 10.0, 3)], shots.Select(s => (s.Start, s.End, s.Track)));
    }

    [Fact]
    public void Plan_AnswerInShortPieces_JoinedIntoOneTurnAndSwitchedTo()
    {
        // "Yeah. Well, I think... that's right.": three 0.6 s pieces with 0.3 s pauses.
        SpeakerTurn[] turns = [new(0, 5, 1, 1), new(5.3, 5.9, 2, 1), new(6.2, 6.8, 2, 1), new(7.1, 7.7, 2, 1), new(8.2, 10, 1, 1)];

        var shots = SpeakerShots.Plan(turns, 10);

        // Speaker 2's answer is one 2.4 s turn: the crop cuts to him 0.3 s before it, and back 0.3 s before speaker 1 resumes.
        Assert.Equal([(0.0, 5.0, (int?)1), (5.0, 7.9, 2), (7.9, 10.0, 1)], shots.Select(s => (Math.Round(s.Start, 3), Math.Round(s.End, 3), s.Track)));
    }

    [Fact]
    public void Plan_DeferredSwitchPastACut_LeftToTheCut()
    {
        // The minimum shot would put the switch to speaker 1 at 4 s, after the cut at 3.5 s: the cut opens his shot.
        SpeakerTurn[] turns = [new(0, 1.5, 1, 1), new(1.5, 3, 2, 1), new(3.1, 6, 1, 1)];

        var shots = SpeakerShots.Plan(turns, 10, sceneCuts: [3.5]);

        Assert.Equal([(0.0, 2.0, (int?)1), (2.0, 3.5, 2), (3.5, 10.0, 1)], shots.Select(s => (s.Start, s.End, s.Track)));
    }

    [Fact]
    public void Plan_TurnRunningAcrossACut_OpensTheNewShot()
    {
        SpeakerTurn[] turns = [new(0, 3, 1, 1), new(3.9, 8, 2, 1)];

        var shots = SpeakerShots.Plan(turns, 10, sceneCuts: [4]);

        Assert.Equal((int?)2, shots[^1].Track);
        Assert.Equal(4, shots[^1].Start);
    }

    [Fact]
    public void Plan_LastSpeakersTailPastACut_NotTheNewShotsPerson()
    {
        // Speaker 1's turn ends 0.1 s after the cut (the vote stretches it); in the new shot only 2 says something short.
        SpeakerTurn[] turns = [new(0, 4.1, 1, 1), new(4.3, 4.8, 2, 1)];

        var shots = SpeakerShots.Plan(turns, 6, sceneCuts: [4]);

        Assert.Equal([(0.0, 4.0, (int?)1), (4.0, 6.0, 2)], shots.Select(s => (s.Start, s.End, s.Track)));
    }

    [Fact]
    public void Plan_SwitchWhoseTurnMostlyFallsAfterACut_LeftToTheCut()
    {
        // Speaker 2 starts at 3.5 s, but only 0.3 s of his turn is before the cut at 3.8 s: the cut opens his shot.
        SpeakerTurn[] turns = [new(0, 3, 1, 1), new(3.5, 7, 2, 1)];

        var shots = SpeakerShots.Plan(turns, 8, sceneCuts: [3.8]);

        Assert.Equal([(0.0, 3.8, (int?)1), (3.8, 8.0, 2)], shots.Select(s => (s.Start, s.End, s.Track)));
    }
}
