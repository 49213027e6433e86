namespace Media.Pipelines.Thumbnails.Templates;

/// <summary>An image from storage ("blob:&lt;key&gt;", usually a merge field), placed in a corner.</summary>
public sealed record LogoStyle(string Source, LogoCorner Corner, double Width, double Opacity);
