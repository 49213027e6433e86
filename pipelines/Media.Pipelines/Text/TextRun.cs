using SkiaSharp;

namespace Media.Pipelines.Text;

/// <summary>A piece of text drawn with one typeface.</summary>
public sealed record TextRun(string Text, SKTypeface Typeface, bool IsEmoji);
