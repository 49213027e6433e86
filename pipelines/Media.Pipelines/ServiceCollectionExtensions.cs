using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Models;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Speech;
using Media.Pipelines.Speech.Whisper;
using Media.Pipelines.Tools;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Thumbnails.Selection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Media.Pipelines.Faces;

namespace Media.Pipelines;

public static class ServiceCollectionExtensions
{
    /// <summary>What reading patterns and templates needs (the job API validates submissions with it; it runs no tool).</summary>
    public static IServiceCollection AddPatternParsing(this IServiceCollection services)
    {
        services.TryAddSingleton<PatternLibrary>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Everything a worker runs: tool runner, prober, analysis, recognisers, faces, hooks; options validated at start.</summary>
    public static IServiceCollection AddMediaPipelines(this IServiceCollection services)
    {
        services.AddPatternParsing();
        services.AddOptions<ToolPaths>().BindConfiguration(ToolPaths.Section);
        services.AddOptions<MediaLimits>().BindConfiguration(MediaLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ToolRunner>();
        services.AddSingleton<MediaProber>();
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section);
        services.TryAddSingleton<IFaceDetector>(sp => BlazeFaceDetector.CreateOrNone(
            sp.GetRequiredService<IOptions<ModelOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<BlazeFaceDetector>()));
        services.AddSingleton<FrameSelection>();
        services.AddOptions<SpeechOptions>().BindConfiguration(SpeechOptions.Section)
            .Validate(o => o.Backend is "pocketsphinx" or "whisper", "Media:Speech:Backend must be \"pocketsphinx\" or \"whisper\".")
            .ValidateOnStart();
        services.TryAddSingleton<IRecognizer>(sp => sp.GetRequiredService<IOptions<SpeechOptions>>().Value.Backend == "whisper"
            ? new WhisperRecognizer(sp.GetRequiredService<IOptions<SpeechOptions>>(), sp.GetRequiredService<IOptions<ModelOptions>>())
            : new PocketSphinxRecognizer(sp.GetRequiredService<ToolRunner>(), sp.GetRequiredService<IOptions<SpeechOptions>>()));
        services.AddSingleton<SourceAnalyzer>();
        services.AddOptions<HookOptions>().BindConfiguration(HookOptions.Section);
        services.AddSingleton<HookScorer>();
        services.AddSingleton<LoudnessCalibrator>();
        return services;
    }
}
