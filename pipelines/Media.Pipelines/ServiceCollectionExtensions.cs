using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Media.Pipelines;

public static class ServiceCollectionExtensions
{
    /// <summary>Pattern library, tool runner and prober, with their options validated at start.</summary>
    public static IServiceCollection AddMediaPipelines(this IServiceCollection services)
    {
        services.AddOptions<ToolPaths>().BindConfiguration(ToolPaths.Section);
        services.AddOptions<MediaLimits>().BindConfiguration(MediaLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PatternLibrary>();
        services.AddSingleton<ToolRunner>();
        services.AddSingleton<MediaProber>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
