using Media.Pipelines.Patterns;
using Media.Pipelines.Render;

namespace Media.UnitTests.Render;

/// <summary>Where a cut plan's pieces land on the output's frame grid.</summary>
public sealed class CutGridTests
{
    private static RenderPlan Plan(double speed, params PlannedSegment[] segments) => new()
    {
        OutputName = "o",
        Width = 1080,
        Height = 1920,
        Reframe = ReframeMode.Center,
        Preset = EncodePreset.TikTok,
        Segments = segments,
        Speed = speed,
        SourceHasAudio = true,
    };

    [Fact]
    public void Pieces_StartAtTheFrameNearestTheirEditTime_AndEndOnTheOutputsLastFrame()
    {
        // 4.21 s (126.3 frames), 1.2 s, 2 s at 4x (0.5 s): edit times 0, 4.21, 5.41 (frames 0, 126, 162.3); 5.91 s = 177 frames.
        var grid = CutGrid.Of(Plan(1, new(0.9, 5.11, 1), new(7.9, 9.1, 1.2), new PlannedSegment(10, 12, 1) { Speed = 4 }));

        Assert.Equal([(0L, 126L, 1.0), (126, 36, 1), (162, 15, 4)], grid.Select(p => (p.FirstFrame, p.Frames, p.Stretch)));
        Assert.Equal(177, grid[^1].EndFrame);
        // Its last frame's end is the segment's end: 15 frames of 4 source frames' time each.
        Assert.Equal(12, grid[2].SourceTime(15, 30), 9);
    }

    [Fact]
    public void Pieces_RoundToTheNearestFrame()
    {
        // Edit time 1.39 s = frame 41.7: the second piece starts on frame 42, not 41, and ends on the last (3.39 s: 101).
        var grid = CutGrid.Of(Plan(1, new(0, 1.39, 1), new(3, 5, 1)));

        Assert.Equal([(0L, 42L), (42, 59)], grid.Select(p => (p.FirstFrame, p.Frames)));
    }

    [Fact]
    public void PlanSpeed_ScalesEveryPiece_PieceShorterThanAFrame_HasNone()
    {
        // At 2x: 3 s -> 45 frames, then a 0.02 s sliver (0.01 s: no frame of its own), then 1 s -> 15 frames.
        var grid = CutGrid.Of(Plan(2, new(0, 3, 1), new(4, 4.02, 1), new(5, 6, 1)));

        Assert.Equal([(0L, 45L, 2.0), (45, 15, 2)], grid.Select(p => (p.FirstFrame, p.Frames, p.Stretch)));
        Assert.Equal(5.0, grid[1].Segment.Start);
        Assert.Equal((long)Math.Round(RenderCommandBuilder.MainLength(Plan(2, new(0, 3, 1), new(4, 4.02, 1), new(5, 6, 1))) * 30), grid[^1].EndFrame);
    }
}
