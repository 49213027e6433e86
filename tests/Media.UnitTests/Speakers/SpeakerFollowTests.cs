using Media.Pipelines.Analysis;
using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class SpeakerFollowTests
{
    private static PersonTrack Person(int id, float x, Func<double, bool>? seen = null) =>
        new(id, [.. Enumerable.Range(0, 80).Select(i => i / 8.0).Where(t => seen?.Invoke(t) ?? true).Select(t => new TrackPoint(t, x, 0.3f, 0.1f, 0.2f, 1))]);

    private static FaceTrack Largest(float x) => new("m", 2, [.. Enumerable.Range(0, 20).Select(i => new FaceSample(i / 2.0, x, 0.3f, 0.1f, 0.2f, 0.9f))]);

    [Fact]
    public void Follow_SwitchFrameMissed_NearestSightingStillCutsToTheNewSpeaker()
    {
        // Speaker 2 is not detected around the switch at 5 s (4.9-5.3 s).
        var people = new PeopleAnalysis(8, [Person(1, 0.15f), Person(2, 0.75f, t => t is < 4.9 or > 5.3)], []);
        SpeakerShot[] shots = [new(0, 5, 1), new(5, 10, 2)];

        var (track, cuts) = SpeakerFollow.Follow(people, shots, Largest(0.15f), 0.3, horizontal: true);

        Assert.Equal([5.0], cuts);
        var at5 = track.Samples.Single(s => s.TimeSeconds == 5);
        Assert.Equal((0.75f, 1f), (at5.X, at5.Score));
    }

    [Fact]
    public void Follow_ShotWithNobody_TakesTheLargestFace()
    {
        var people = new PeopleAnalysis(8, [Person(1, 0.15f)], []);
        SpeakerShot[] shots = [new(0, 4, 1), new(4, 10, null)];

        var (track, cuts) = SpeakerFollow.Follow(people, shots, Largest(0.6f), 0.3, horizontal: true);

        Assert.All(track.Samples.Where(s => s.TimeSeconds >= 4), s => Assert.Equal(0.6f, s.X));
        Assert.Equal([4.0], cuts);
    }

    [Fact]
    public void Follow_PeopleCloseTogether_NoCut()
    {
        var people = new PeopleAnalysis(8, [Person(1, 0.40f), Person(2, 0.48f)], []);
        SpeakerShot[] shots = [new(0, 5, 1), new(5, 10, 2)];

        var (_, cuts) = SpeakerFollow.Follow(people, shots, Largest(0.4f), 0.3, horizontal: true);

        Assert.Empty(cuts);
    }
}
