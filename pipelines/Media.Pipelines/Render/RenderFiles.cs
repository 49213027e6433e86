using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Render;

/// <summary>
/// The files a render plan's filter graph reads besides its media, written for one run: the titles' ASS script (user
/// text only ever travels in a file, escaped for ASS, never through filter syntax), and the captions (the ASS script
/// libass burns in, plus the SRT, WebVTT and words sidecars named after the output). The worker's render stage,
/// revisions and the benchmarks all write them here, so a bare run of the same plan reads the same files.
/// </summary>
public static class RenderFiles
{
    /// <param name="fontPath">The primary font for titles and captions (see FontLocator); libass loads it from its folder.</param>
    /// <param name="widths">Glyph widths of that font (null: the Debian default font's).</param>
    public static async Task<Written> WriteAsync(RenderPlan plan, string folder, string fontPath, CancellationToken cancellationToken, TextWidths? widths = null)
    {
        widths ??= TextWidths.Default;
        string? titles = null;
        if (plan.Texts.Count > 0)
        {
            titles = Path.Combine(folder, $"{plan.OutputName}.titles.ass");
            await File.WriteAllTextAsync(titles, TitleScript.Write(plan.Texts, plan.Width, plan.Height, widths), cancellationToken);
        }

        var captions = new List<string>();
        if (plan.Captions is { } planned)
        {
            var files = new List<(string Name, string Text)>
            {
                ($"{plan.OutputName}.ass", AssWriter.Write(planned.Captions, planned.Step, plan.Width, plan.Height, planned.Emphasis, widths)),
                ($"{plan.OutputName}.srt", SubtitleFiles.Srt(planned.Captions)),
                ($"{plan.OutputName}.vtt", SubtitleFiles.WebVtt(planned.Captions)),
                ($"{plan.OutputName}.words.json", SubtitleFiles.WordsJson(planned.Transcript, planned.Words)),
            };
            foreach (var (name, text) in files)
            {
                var path = Path.Combine(folder, name);
                await File.WriteAllTextAsync(path, text, cancellationToken);
                captions.Add(path);
            }
        }

        return new Written(titles, captions, titles is null && plan.Captions is null ? null : Path.GetDirectoryName(fontPath));
    }

    /// <param name="TitlesFile">The titles' ASS script (not an output).</param>
    /// <param name="CaptionFiles">The captions' ASS script first, then the sidecars (all of them outputs of the render).</param>
    public sealed record Written(string? TitlesFile, IReadOnlyList<string> CaptionFiles, string? FontsDirectory)
    {
        /// <summary>The assets these files make; the stored media (logo, music, intro, outro) are added by the caller.</summary>
        public RenderAssets Assets => new()
        {
            TitlesPath = TitlesFile,
            CaptionsPath = CaptionFiles.FirstOrDefault(f => f.EndsWith(".ass", StringComparison.Ordinal)),
            FontsDirectory = FontsDirectory,
        };
    }

    /// <summary>The content type of a caption file, by its extension.</summary>
    public static string CaptionContentType(string name) => Path.GetExtension(name) switch
    {
        ".srt" => "application/x-subrip",
        ".vtt" => "text/vtt",
        ".ass" => "text/x-ssa",
        _ => "application/json",
    };
}
