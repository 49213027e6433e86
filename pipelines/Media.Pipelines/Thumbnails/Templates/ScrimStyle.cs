namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>A gradient from <see cref="Color"/> at <see cref="Opacity"/> to transparent over <see cref="Extent"/> of the height.</summary>
public sealed record ScrimStyle(ScrimSide Side, string Color, double Opacity, double Extent);
