using Media.Platform.Bus;
using Media.Platform.Bus.Kafka;
using Media.Platform.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Media.Platform;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the bus and blob store chosen by Media:Bus and Media:Storage.</summary>
    public static IServiceCollection AddMediaPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        var choice = configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>() ?? new PlatformOptions();
        services.AddSingleton(TimeProvider.System);

        switch (choice.Bus.ToLowerInvariant())
        {
            case PlatformOptions.InProcessBus:
                services.AddSingleton<IMessageBus, InProcessBus>();
                break;
            case PlatformOptions.KafkaBus:
                services.AddOptions<KafkaBusOptions>().BindConfiguration(KafkaBusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
                services.AddSingleton<IMessageBus, KafkaBus>();
                services.AddHostedService<KafkaTopicsInitializer>();
                break;
            default:
                throw new InvalidOperationException($"Media:Bus='{choice.Bus}' is not supported; supported: {PlatformOptions.InProcessBus}, {PlatformOptions.KafkaBus}.");
        }

        switch (choice.Storage.ToLowerInvariant())
        {
            case PlatformOptions.FolderStorage:
                services.AddOptions<FolderBlobStoreOptions>().BindConfiguration(FolderBlobStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
                services.AddSingleton<IBlobStore, FolderBlobStore>();
                break;
            case PlatformOptions.S3Storage:
                services.AddOptions<S3BlobStoreOptions>().BindConfiguration(S3BlobStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
                services.AddSingleton<S3BlobStore>();
                services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
                services.AddSingleton<IDirectUploadStore>(sp => sp.GetRequiredService<S3BlobStore>());
                break;
            default:
                throw new InvalidOperationException($"Media:Storage='{choice.Storage}' is not supported; supported: {PlatformOptions.FolderStorage}, {PlatformOptions.S3Storage}.");
        }

        return services;
    }
}
