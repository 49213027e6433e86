namespace Media.Pipelines.Text;

public sealed record TextBlockLayout(IReadOnlyList<LaidOutLine> Lines, float FontSize, float LineHeight, bool RightToLeft, bool Truncated)
{
    public static readonly TextBlockLayout Empty = new([], 0, 0, false, false);

    public float Height => Lines.Count * LineHeight;

    public float Width => Lines.Count == 0 ? 0 : Lines.Max(l => l.Width);
}
