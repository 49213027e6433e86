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
