using Media.Pipelines.Analysis;
using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class ActiveSpeakerTests
{
    private const double Rate = 8;

    // Two faces; whoever `speaking` names at a time moves his mouth (4 luma steps), the other a little (0.5), as
    // both do while nobody speaks.
    private static IReadOnlyList<PersonTrack> Tracks(double seconds, Func<double, int?> speaking, bool rightVisible = true)
    {
        var frames = Enumerable.Range(0, (int)(seconds * Rate)).Select(i => i / Rate).Select(t =>
        {
            var who = speaking(t);
            var faces = new List<FaceSighting> { new(0.15f, 0.3f, 0.2f, 0.24f, 0.9f, who == 1 ? 4 + (float)(t % 0.5) : 0.5f) };
            if (rightVisible)
            {
                faces.Add(new(0.65f, 0.3f, 0.2f, 0.24f, 0.9f, who == 2 ? 4 + (float)(t % 0.5) : 0.5f));
            }

            return new FaceFrame(t, faces);
        });
        return FaceTracker.Track([.. frames]);
    }

    [Fact]
    public void Turns_TwoSpeakersAlternate_EachTurnNamed()
    {
        var tracks = Tracks(12, t => t is >= 0.5 and < 5.5 ? 1 : t is >= 6.5 and < 11.5 ? 2 : null);

        var turns = ActiveSpeaker.Turns(tracks, [new TimeRange(0.5, 5.5), new TimeRange(6.5, 11.5)], Rate);

        Assert.Equal(2, turns.Count);
        Assert.Equal((0.5, 5.5, (int?)1), (turns[0].Start, turns[0].End, turns[0].Track));
        Assert.Equal((6.5, 11.5, (int?)2), (turns[1].Start, turns[1].End, turns[1].Track));
        Assert.All(turns, t => Assert.Equal(1, t.Confidence));
    }

    [Fact]
    public void Turns_ChangeOfSpeakerInsideOneSegment_SplitNearTheChange()
    {
        var tracks = Tracks(10, t => t is >= 1 and < 5 ? 1 : t is >= 5 and < 9 ? 2 : null);

        var turns = ActiveSpeaker.Turns(tracks, [new TimeRange(1, 9)], Rate);

        Assert.Equal([(int?)1, 2], turns.Select(t => t.Track));
        Assert.InRange(turns[0].End, 4.6, 5.4);
        Assert.Equal(turns[0].End, turns[1].Start);
    }

    [Fact]
    public void Turns_NobodysMouthMoves_NoSpeakerNamed()
    {
        var tracks = Tracks(6, _ => null);

        var turns = ActiveSpeaker.Turns(tracks, [new TimeRange(1, 5)], Rate);

        Assert.All(turns, t => Assert.Null(t.Track));
    }

    [Fact]
    public void Turns_OneFaceOnly_ItSpeaks()
    {
        var tracks = Tracks(6, _ => 1, rightVisible: false);

        var turns = ActiveSpeaker.Turns(tracks, [new TimeRange(1, 5)], Rate);

        Assert.Equal((int?)1, Assert.Single(turns).Track);
    }
}
