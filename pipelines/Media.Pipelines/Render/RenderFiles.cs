using Media.Pipelines.Captions;
using Media.Pipelines.Fonts;

namespace Media.Pipelines.Render;

/// <summary>
/// The files a render plan's filter graph reads besides its media, written for one run: one text file per drawn text
/// (drawtext reads the characters literally, so no user text ever passes through filter syntax), and the captions
/// (the ASS script libass burns in, plus the SRT, WebVTT and words sidecars named after the output). The worker's
/// render stage, revisions and the benchmarks all write them here, so a bare run of the same plan reads the same files.
/// </summary>
public static class RenderFiles
{
    /// <summary>The family libass is asked for; its file is the one in <see cref="Written.FontsDirectory"/>.</summary>
    public const string CaptionFontFamily = "DejaVu Sans";

    /// <param name="fontPath">The font drawtext and libass use (see Thumbnails.FontLocator).</param>
    public static async Task<Written> WriteAsync(RenderPlan plan, string folder, string fontPath, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        for (var i = 0; i < plan.Texts.Count; i++)
        {
            var file = Path.Combine(folder, $"{plan.OutputName}.text{i}.txt");
            await File.WriteAllTextAsync(file, plan.Texts[i].Text, cancellationToken);
            texts.Add(file);
        }

        var captions = new List<string>();
        if (plan.Captions is { } planned)
        {
            var files = new List<(string Name, string Text)>
            {
                ($"{plan.OutputName}.ass", AssWriter.Write(planned.Captions, planned.Step, plan.Width, plan.Height, CaptionFontFamily, planned.Emphasis)),
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

        return new Written(texts, captions, plan.Texts.Count > 0 ? fontPath : null, plan.Captions is null ? null : Path.GetDirectoryName(fontPath));
    }

    /// <param name="CaptionFiles">The ASS script first, then the sidecars (all of them outputs of the render).</param>
    public sealed record Written(IReadOnlyList<string> TextFiles, IReadOnlyList<string> CaptionFiles, string? FontPath, string? FontsDirectory)
    {
        /// <summary>The assets these files make; the stored media (logo, music, intro, outro) are added by the caller.</summary>
        public RenderAssets Assets => new()
        {
            TextFiles = TextFiles,
            FontPath = FontPath,
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
