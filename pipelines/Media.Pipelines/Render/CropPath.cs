using System.Globalization;
using System.Text;

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

        for (var i = 1; i < Keyframes.Count; i++)
        {
            if (time <= Keyframes[i].Time)
            {
                var a = Keyframes[i - 1];
                var b = Keyframes[i];
                return a.Offset + ((b.Offset - a.Offset) * (time - a.Time) / (b.Time - a.Time));
            }
        }

        return Keyframes[^1].Offset;
    }

    /// <summary>
    /// The path as one flat ffmpeg expression of t: x0 + Σ slope_i · clip(t − t_i, 0, t_{i+1} − t_i).
    /// Flat (no nesting), so hundreds of keyframes stay cheap to parse and evaluate.
    /// </summary>
    public string Expression()
    {
        var builder = new StringBuilder(Number(Keyframes[0].Offset));
        for (var i = 1; i < Keyframes.Count; i++)
        {
            var a = Keyframes[i - 1];
            var b = Keyframes[i];
            var span = b.Time - a.Time;
            var slope = (b.Offset - a.Offset) / span;
            if (Math.Abs(slope) < 1e-9)
            {
                continue;
            }

            builder.Append(slope < 0 ? '-' : '+').Append(Number(Math.Abs(slope)))
                .Append("*clip(t-").Append(Number(a.Time)).Append(",0,").Append(Number(span)).Append(')');
        }

        return builder.ToString();
    }

    private static string Number(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
}

public readonly record struct CropKeyframe(double Time, double Offset);
