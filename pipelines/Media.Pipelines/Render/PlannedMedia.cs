using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>A logo resolved for one output: which stored image, where, how big, how opaque.</summary>
public sealed record PlannedLogo(string SourceKey, Corner Position, int WidthPixels, double Opacity, int MarginPixels);

/// <summary>Background music resolved for one output: which stored file, level, fades, ducking.</summary>
public sealed record PlannedMusic(string SourceKey, double VolumeDb, double FadeInSeconds, double FadeOutSeconds, bool Duck);

/// <summary>An intro or outro clip: which stored file, how long, whether it has sound (else silence is generated).</summary>
public sealed record PlannedBookend(string SourceKey, double DurationSeconds, bool HasAudio);

/// <summary>The local files a render reads besides its source: ASS scripts, fonts, logo image, music.</summary>
public sealed record RenderAssets
{
    public static readonly RenderAssets None = new();

    /// <summary>The ASS script with the plan's texts (titles), drawn over the captions.</summary>
    public string? TitlesPath { get; init; }

    public string? LogoPath { get; init; }

    public string? MusicPath { get; init; }

    public string? IntroPath { get; init; }

    /// <summary>The ASS script with the captions.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>The folder libass loads the primary font from (fontconfig supplies the fallbacks).</summary>
    public string? FontsDirectory { get; init; }

    public string? OutroPath { get; init; }
}
