using Media.Pipelines.Patterns;
using Media.Pipelines.Text;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Selection;
using Media.Pipelines.Thumbnails.Templates;
using Media.Pipelines.Tools;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;
using Media.Pipelines.Fonts;

namespace Media.Workers.Handlers;

/// <summary>
/// Covers for a job: the pattern's number of best distinct frames from the source (one ffmpeg call to
/// score candidates, one to extract the winners), each composited with every template of the pattern.
/// </summary>
public sealed class ThumbnailStageHandler(FrameSelection selection, IOptions<ToolPaths> tools, ILogger<ThumbnailStageHandler> logger) : IStageHandler
{
    public StageKind Kind => StageKind.Thumbnail;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var pattern = context.Pattern;
        var spec = pattern.Thumbnail ?? throw new PatternMismatchException($"Pattern '{pattern.Name}' asks for no thumbnails.");
        var source = await context.GetLocalPathAsync(dispatch.SourceKey, cancellationToken);
        var frames = await selection.SelectAsync(source, dispatch.SourceInfo.ToProbe(), spec.Frames, context.WorkDirectory, cancellationToken);
        context.ReportProgress(0.4);

        var parameters = new Dictionary<string, string>(dispatch.Parameters);
        using var fonts = FontSet.Create(tools.Value.Font);
        var composer = new ThumbnailComposer(fonts);
        var completed = new StageCompleted();
        var logos = new Dictionary<string, SKImage?>(StringComparer.Ordinal);
        var total = frames.Count * spec.Templates.Count;
        for (var k = 0; k < frames.Count; k++)
        {
            using var bitmap = SKBitmap.Decode(frames[k].PngPath) ?? throw new InvalidDataException($"Frame {k + 1} could not be decoded.");
            foreach (var template in spec.Templates)
            {
                var logo = await LoadLogoAsync(context, template, parameters, logos, cancellationToken);
                var composed = composer.Compose(template, new ThumbnailInput(bitmap, frames[k].Candidate.Faces, parameters) { Logo = logo });
                var name = $"thumbnail-{template.Name}-{k + 1}.{composed.Extension}";
                var local = Path.Combine(context.WorkDirectory, name);
                await File.WriteAllBytesAsync(local, composed.Bytes, cancellationToken);
                var output = await context.UploadOutputAsync(local, name, OutputKind.Thumbnail, composed.ContentType, cancellationToken);
                output.MergeFrom(new Output
                {
                    Width = composed.Width,
                    Height = composed.Height,
                    Encoder = $"skia-{composed.Extension}",
                    FrameTimeSeconds = frames[k].Candidate.TimeSeconds,
                });
                completed.Outputs.Add(output);
                logger.LogDebug("Cover {Name}: frame {Time:0.###} s, score {Score:0.###}, {Faces} faces, face in crop {Inside}, quality {Quality}",
                    name, frames[k].Candidate.TimeSeconds, frames[k].Candidate.Score, frames[k].Candidate.Faces.Count, composed.FaceInsideCrop, composed.Quality);
                context.ReportProgress(0.4 + 0.6 * completed.Outputs.Count / total);
            }
        }

        foreach (var logo in logos.Values)
        {
            logo?.Dispose();
        }

        return completed;
    }

    public const long MaxLogoBytes = StoredMedia.MaxLogoBytes;
    public const int MaxLogoPixels = 4096;

    // Each logo source is read once per stage, with limits: a logo is a small image, not any stored object.
    private static async Task<SKImage?> LoadLogoAsync(StageContext context, ThumbnailTemplate template, IReadOnlyDictionary<string, string> parameters, Dictionary<string, SKImage?> loaded, CancellationToken cancellationToken)
    {
        if (template.Logo is null)
        {
            return null;
        }

        var source = MergeFields.Render(template.Logo.Source, parameters).Trim();
        if (StoredMediaReference.KeyOf(source, "logo") is not { } key)
        {
            return null;
        }

        if (loaded.TryGetValue(source, out var cached))
        {
            return cached;
        }

        StoredMedia.CheckOwned(context, key, "logo");
        var info = await context.Blobs.GetInfoAsync(key, cancellationToken) ?? throw new InvalidDataException($"Logo '{source}' does not exist.");
        if (info.SizeBytes > MaxLogoBytes)
        {
            throw new InvalidDataException($"Logo '{source}' is {info.SizeBytes} bytes; the limit is {MaxLogoBytes}.");
        }

        using var data = SKData.CreateCopy(await context.Blobs.ReadAllBytesAsync(key, cancellationToken));
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException($"Logo '{source}' is not a decodable image.");
        if (codec.Info.Width > MaxLogoPixels || codec.Info.Height > MaxLogoPixels)
        {
            throw new InvalidDataException($"Logo '{source}' is {codec.Info.Width}x{codec.Info.Height}; the limit is {MaxLogoPixels}x{MaxLogoPixels}.");
        }

        var image = SKImage.FromEncodedData(data) ?? throw new InvalidDataException($"Logo '{source}' is not a decodable image.");
        loaded[source] = image;
        return image;
    }
}
