using System.Globalization;
using Media.Pipelines.FFmpeg;

namespace Media.Pipelines.Render;

/// <summary>
/// A crop window of fixed size moving along one axis of the source over time: piecewise linear between
/// keyframes (source seconds, offset in source pixels of the window's left or top edge).
/// </summary>
public sealed record CropPath(int CropWidth, int CropHeight, bool Horizontal, IReadOnlyList<CropKeyframe> Keyframes)
{
    /// <summary>Offset at a time (what ffmpeg's expression evaluates to, before it rounds to even pixels).</summary>
    public double OffsetAt(double time)
    {
        if (time <= Keyframes[0].Time)
        {
            return Keyframes[0].Offset;
        }

        if (time > Keyframes[^1].Time)
        {
            return Keyframes[^1].Offset;
        }

        // The first keyframe at or after the time, by binary search (the edit plan evaluates the path at every keyframe).
        var (low, high) = (1, Keyframes.Count - 1);
        while (low < high)
        {
            var mid = (low + high) / 2;
            (low, high) = Keyframes[mid].Time < time ? (mid + 1, high) : (low, mid);
        }

        var a = Keyframes[low - 1];
        var b = Keyframes[low];
        return a.Offset + ((b.Offset - a.Offset) * (time - a.Time) / (b.Time - a.Time));
    }

    /// <summary>
    /// The path over [<paramref name="from"/>, <paramref name="to"/>] only: what a render of that span of the source
    /// reads (a 30 s clip of an hour-long source keeps its own few keyframes, not the hour's thousands), with keyframes
    /// at both ends where the path is.
    /// </summary>
    public CropPath Within(double from, double to) => from >= to
        ? this
        : this with { Keyframes = [new(from, OffsetAt(from)), .. Keyframes.Where(k => k.Time > from && k.Time < to), new(to, OffsetAt(to))] };

    /// <summary>
    /// The path as one ffmpeg expression of t: x0 + Σ slope_i · clip(t − t_i, 0, t_{i+1} − t_i), summed by
    /// <see cref="ExpressionSum"/> so a 20-minute source's thousands of keyframes parse (a flat sum failed past 97).
    /// </summary>
    public string Expression()
    {
        var terms = new List<string> { Number(Keyframes[0].Offset) };
        for (var i = 1; i < Keyframes.Count; i++)
        {
            var a = Keyframes[i - 1];
            var b = Keyframes[i];
            var span = b.Time - a.Time;
            var slope = (b.Offset - a.Offset) / span;
            if (!double.IsFinite(slope) || Math.Abs(slope) < 1e-9)
            {
                continue; // a still stretch, or two keyframes at one instant (a jump): nothing to interpolate
            }

            terms.Add((slope < 0 ? "-" : "+") + Number(Math.Abs(slope)) + "*clip(t-" + Number(a.Time) + ",0," + Number(span) + ")");
        }

        return ExpressionSum.Of(terms);
    }

    private static string Number(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
}

public readonly record struct CropKeyframe(double Time, double Offset);
