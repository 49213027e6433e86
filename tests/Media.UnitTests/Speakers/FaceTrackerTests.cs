using Media.Pipelines.Speakers;

namespace Media.UnitTests.Speakers;

public sealed class FaceTrackerTests
{
    private static FaceSighting Face(double centreX, float width = 0.2f, float? mouth = 1) =>
        new((float)centreX - (width / 2), 0.3f, width, width * 1.2f, 0.9f, mouth);

    private static List<FaceFrame> Frames(double seconds, Func<double, IEnumerable<FaceSighting>> facesAt, double rate = 8) =>
        [.. Enumerable.Range(0, (int)(seconds * rate)).Select(i => i / rate).Select(t => new FaceFrame(t, [.. facesAt(t)]))];

    [Fact]
    public void Track_TwoPeopleSideBySide_TwoTracksKeptApart()
    {
        var frames = Frames(6, t => [Face(0.25 + (0.01 * Math.Sin(t))), Face(0.75 - (0.01 * Math.Sin(t)))]);

        var tracks = FaceTracker.Track(frames);

        Assert.Equal(2, tracks.Count);
        Assert.All(tracks[0].Points, p => Assert.True(p.CenterX < 0.5));
        Assert.All(tracks[1].Points, p => Assert.True(p.CenterX > 0.5));
        Assert.Equal(frames.Count, tracks[0].Points.Count);
        Assert.Equal([1, 2], tracks.Select(t => t.Id));
        // A track's first mouth value compared it with nobody (or another shot): dropped.
        Assert.All(tracks, t => Assert.Null(t.Points[0].Mouth));
        Assert.All(tracks, t => Assert.Equal(1f, t.Points[1].Mouth));
    }

    [Fact]
    public void Track_ShortMiss_SameTrack_LongMiss_NewTrack()
    {
        // Missed for 0.5 s at 2 s (kept), then for 2 s from 4 s (a new track after).
        var frames = Frames(8, t => t is >= 2 and < 2.5 or >= 4 and < 6 ? [] : [Face(0.4)]);

        var tracks = FaceTracker.Track(frames);

        Assert.Equal(2, tracks.Count);
        Assert.Equal((0, 3.875), (tracks[0].Start, tracks[0].End));
        Assert.Equal((6, 7.875), (tracks[1].Start, tracks[1].End));
    }

    [Fact]
    public void Track_SceneCut_EndsEveryTrack()
    {
        var frames = Frames(4, _ => [Face(0.5)]);

        var tracks = FaceTracker.Track(frames, [2.0]);

        Assert.Equal([(0.0, 1.875), (2.0, 3.875)], tracks.Select(t => (t.Start, t.End)));
    }

    [Fact]
    public void Track_FaceJumpsAcrossTheFrame_NotTheSamePerson()
    {
        var frames = Frames(4, t => [Face(t < 2 ? 0.2 : 0.8)]);

        var tracks = FaceTracker.Track(frames);

        Assert.Equal(2, tracks.Count);
        Assert.True(tracks[0].Points.All(p => p.CenterX < 0.5) && tracks[1].Points.All(p => p.CenterX > 0.5));
    }

    [Fact]
    public void Track_OneFrameFalseDetection_Dropped()
    {
        var frames = Frames(3, t => Math.Abs(t - 1) < 0.01 ? [Face(0.5), Face(0.1, 0.05f)] : [Face(0.5)]);

        var tracks = FaceTracker.Track(frames);

        Assert.Single(tracks);
    }

    [Fact]
    public void At_NearestPointWithinTolerance()
    {
        var track = FaceTracker.Track(Frames(2, _ => [Face(0.5)]))[0];

        Assert.Equal(0.5, track.At(0.51, 0.1)!.Time);
        Assert.Equal(0.625, track.At(0.6, 0.1)!.Time);
        Assert.Null(track.At(3, 0.1));
    }
}
