using Media.Pipelines;
using Media.Workers.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace Media.Workers;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stage handlers and one worker loop running up to Media:Worker:Slots stages at once.
    /// The bus and blob store must be registered by the host.
    /// </summary>
    public static IServiceCollection AddMediaWorkers(this IServiceCollection services)
    {
        services.AddMediaPipelines();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StageEventPublisher>();
        services.AddSingleton<IStageHandler, ProbeStageHandler>();
        services.AddSingleton<IStageHandler, AnalyzeStageHandler>();
        services.AddSingleton<IStageHandler, AnalyzeChunkStageHandler>();
        services.AddSingleton<RenderPreparation>();
        services.AddSingleton<IStageHandler, RenderStageHandler>();
        services.AddSingleton<IStageHandler, RenderChunkStageHandler>();
        services.AddSingleton<IStageHandler, ThumbnailStageHandler>();
        services.AddSingleton<Hardware.HardwareProbe>();
        services.AddMetrics();
        services.AddSingleton<Hardware.WorkerHardware>();
        services.AddHealthChecks().AddCheck<Hardware.HardwareHealthCheck>("hardware", tags: ["ready"]);
        services.AddSingleton<StageWorker>();
        // Before the worker, so it stops after it: the goodbye is said once the running stages are handed back.
        services.AddHostedService<WorkerAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<StageWorker>());

        return services;
    }
}
