using Media.Pipelines.Thumbnails.Templates;
using SkiaSharp;

namespace Media.Pipelines.Thumbnails;

/// <summary>Encodes to the template's format, lowering JPEG/WebP quality until the file is within the size limit.</summary>
public static class ImageEncoder
{
    public static (byte[] Bytes, int Quality) Encode(SKImage image, ThumbnailFormat format, long maxBytes)
    {
        var skFormat = format switch
        {
            ThumbnailFormat.Webp => SKEncodedImageFormat.Webp,
            ThumbnailFormat.Png => SKEncodedImageFormat.Png,
            _ => SKEncodedImageFormat.Jpeg,
        };

        for (var quality = format == ThumbnailFormat.Png ? 100 : 92; quality >= 40; quality -= 8)
        {
            using var data = image.Encode(skFormat, quality);
            if (data.Size <= maxBytes)
            {
                return (data.ToArray(), quality);
            }

            if (format == ThumbnailFormat.Png)
            {
                break;
            }
        }

        throw new InvalidDataException($"The {image.Width}x{image.Height} {format} thumbnail cannot be made smaller than the template's maxBytes ({maxBytes}); raise maxBytes or use jpeg/webp.");
    }

    public static (string ContentType, string Extension) Describe(ThumbnailFormat format) => format switch
    {
        ThumbnailFormat.Webp => ("image/webp", "webp"),
        ThumbnailFormat.Png => ("image/png", "png"),
        _ => ("image/jpeg", "jpg"),
    };
}
