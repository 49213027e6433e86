namespace Media.Pipelines.Thumbnails;

public sealed record TitleLayout(IReadOnlyList<string> Lines, float FontSize, float LineHeight);
