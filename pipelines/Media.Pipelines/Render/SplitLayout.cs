using System.Globalization;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Speakers;

namespace Media.Pipelines.Render;

/// <summary>
/// Two-person layouts over a face crop: during <see cref="Spans"/> (source time) the frame shows two windows stacked
/// (<see cref="LayoutKind.Split"/>: <see cref="Top"/> above <see cref="Bottom"/>, each the output's width and half its
/// height) or the whole picture (<see cref="LayoutKind.Wide"/>); the rest of the time it shows the crop.
/// </summary>
public sealed record SplitLayout(MovingWindow Top, MovingWindow Bottom, IReadOnlyList<LayoutSpan> Spans)
{
    private const double Early = 0.0005;

    /// <summary>The layout over [<paramref name="from"/>, <paramref name="to"/>] only (null when no span falls inside it).</summary>
    public SplitLayout? Within(double from, double to)
    {
        var spans = Spans.Where(s => s.End > from && s.Start < to).ToList();
        return spans.Count == 0 ? null : new SplitLayout(Top.Within(from, to), Bottom.Within(from, to), spans);
    }

    /// <summary>
    /// An ffmpeg expression of t: non-zero inside a span of <paramref name="kind"/> ("0" when there is none). Both ends are
    /// taken half a millisecond early: span times are rounded to the millisecond, and a frame at 2.766667 s, the first of
    /// a shot cut at "2.767", must already switch.
    /// </summary>
    public string Enable(LayoutKind kind)
    {
        var terms = Spans.Where(s => s.Kind == kind).Select(s => "+gte(t," + Number(s.Start - Early) + ")*lt(t," + Number(s.End - Early) + ")").ToList();
        return terms.Count == 0 ? "0" : ExpressionSum.Of(terms);
    }

    /// <summary>The kind of layout at a source time (null: the crop).</summary>
    public LayoutKind? At(double time) => Spans.FirstOrDefault(s => time >= s.Start && time < s.End)?.Kind;

    private static string Number(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>A crop window of fixed size free to move along both axes: <see cref="X"/> holds its left edge, <see cref="Y"/> its top.</summary>
public sealed record MovingWindow(CropPath X, CropPath Y)
{
    public int Width => X.CropWidth;

    public int Height => X.CropHeight;

    public MovingWindow Within(double from, double to) => new(X.Within(from, to), Y.Within(from, to));
}
