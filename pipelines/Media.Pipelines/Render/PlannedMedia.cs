using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>A logo resolved for one output: which stored image, where, how big, how opaque.</summary>
public sealed record PlannedLogo(string SourceKey, Corner Position, int WidthPixels, double Opacity, int MarginPixels);

/// <summary>Background music resolved for one output: which stored file, level, fades, ducking.</summary>
public sealed record PlannedMusic(string SourceKey, double VolumeDb, double FadeInSeconds, double FadeOutSeconds, bool Duck);

/// <summary>An intro or outro clip: which stored file, how long, whether it has sound (else silence is generated).</summary>
public sealed record PlannedBookend(string SourceKey, double DurationSeconds, bool HasAudio);

/// <summary>The local files a render reads besides its source: text files, font, logo image, music.</summary>
public sealed record RenderAssets
{
    public static readonly RenderAssets None = new();

    /// <summary>One file per plan text holding its exact characters (drawtext reads them literally).</summary>
    public IReadOnlyList<string> TextFiles { get; init; } = [];

    public string? FontPath { get; init; }

    public string? LogoPath { get; init; }

    public string? MusicPath { get; init; }

    public string? IntroPath { get; init; }

    /// <summary>The ASS script with the captions, and the folder libass loads the caption font from.</summary>
    public string? CaptionsPath { get; init; }

    public string? FontsDirectory { get; init; }

    public string? OutroPath { get; init; }
}

/// <summary>"blob:&lt;key&gt;" references from merge fields, checked before anything is read.</summary>
public static class StoredMediaReference
{
    public const string Scheme = "blob:";

    /// <summary>The object key, or null when the reference is empty (the step is then left out).</summary>
    public static string? KeyOf(string reference, string what)
    {
        var trimmed = reference.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (!trimmed.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The {what} '{Shorten(trimmed)}' must be 'blob:<key>' of an uploaded file.");
        }

        // The key's own rules (no traversal, allowed characters) are enforced by the blob store that opens it.
        var key = trimmed[Scheme.Length..];
        return key.Length > 0 ? key : throw new InvalidDataException($"The {what} 'blob:' names no object.");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
