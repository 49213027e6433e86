namespace Media.Pipelines.Fonts;

/// <summary>
/// Skia's default typeface on a bare Linux box has no glyphs, so fonts are loaded by path:
/// the configured one, else the first Debian font that exists.
/// </summary>
public static class FontLocator
{
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ];

    public static string Find(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"The configured font '{configured}' (Media:Tools:Font) does not exist.", configured);
        }

        return Candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("No font found for thumbnail text. Install Debian's fonts-dejavu-core or set Media:Tools:Font.");
    }
}
