namespace Media.Pipelines.FFmpeg;

/// <summary>
/// A source's sound put on the timeline its timestamps say, before anything measures or cuts it. Decoders hand out
/// samples back to back: where a file's audio packets jump (clips of different sample rates joined by stream copy, a
/// phone's dropped packets) or the audio starts after the picture, the samples would close the gap and everything
/// after it would be heard early (speech found 30 s too soon, captions timed to the wrong words). aresample with
/// async=1 fills gaps with silence and trims overlaps, from min_hard_comp on: 10 ms (its default, 0.1 s, let each of
/// a looped file's 17 ms joins pass, and the sound fell up to 64 ms behind the picture over 30 joins, so a chunk
/// decoded from a seek heard it elsewhere than one pass did); first_pts=0 pads a late start with silence.
/// </summary>
public static class SourceTimeline
{
    public static Filter Audio() => Filter.Of("aresample", ("async", 1), ("min_hard_comp", 0.01), ("first_pts", 0));
}
