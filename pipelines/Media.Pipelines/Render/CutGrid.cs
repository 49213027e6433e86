namespace Media.Pipelines.Render;

/// <summary>
/// Where each kept piece of a cut plan (jump cuts, a trim, punch-ins) lands on the output's frame grid. Piece k starts at
/// output frame F_k, the frame nearest its edit time (the pieces before it at their speeds and the plan's), and holds
/// F_(k+1) - F_k frames: its own picture converted to the output's rate on a clock that starts at its segment's start.
/// So every output frame depends on its piece alone, not on how many frames the pieces before it happened to have, and a
/// part of the output (see <see cref="RenderChunks"/>) renders exactly the frames a single render does. The picture stays
/// within a frame of the sound at every cut (the sound's pieces are cut sample-exact at the same edit times: half a frame
/// for the piece's place, half for the rate conversion), where joining pieces by their frame counts could drift a frame
/// further at each cut.
/// </summary>
public static class CutGrid
{
    /// <summary>The pieces with at least one output frame, in output order.</summary>
    public static IReadOnlyList<GridPiece> Of(RenderPlan plan)
    {
        var rate = plan.Preset.FrameRate;
        var total = (long)Math.Round(RenderCommandBuilder.MainLength(plan) * rate);
        var pieces = new List<GridPiece>();
        var edited = 0.0;
        var first = 0L;
        for (var i = 0; i < plan.Segments.Count; i++)
        {
            var segment = plan.Segments[i];
            edited += segment.OutputDuration;
            // The output frame nearest the piece's edit time (its sound starts exactly there); the last piece ends on the
            // output's last frame.
            var next = i == plan.Segments.Count - 1 ? total : Math.Min(total, (long)Math.Round(edited / plan.Speed * rate, MidpointRounding.AwayFromZero));
            if (next > first)
            {
                pieces.Add(new GridPiece(segment, segment.Speed * plan.Speed, first, next - first));
            }

            first = Math.Max(first, next);
        }

        return pieces;
    }
}

/// <summary>
/// One kept piece on the output's frame grid: <see cref="Frames"/> output frames from <see cref="FirstFrame"/>, its local
/// frame n showing the source at <see cref="SourceTime"/>(n). <see cref="Stretch"/>: source seconds per output second
/// (the segment's speed times the plan's).
/// </summary>
public sealed record GridPiece(PlannedSegment Segment, double Stretch, long FirstFrame, long Frames)
{
    public long EndFrame => FirstFrame + Frames;

    public double SourceTime(long localFrame, int frameRate) => Segment.Start + (localFrame * Stretch / frameRate);
}
