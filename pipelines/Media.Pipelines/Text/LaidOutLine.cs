namespace Media.Pipelines.Text;

/// <summary>Tokens of one line in logical order with their measured widths (spaces not included).</summary>
public sealed record LaidOutLine(IReadOnlyList<TextToken> Tokens, IReadOnlyList<float> TokenWidths, float SpaceWidth, float Width);
