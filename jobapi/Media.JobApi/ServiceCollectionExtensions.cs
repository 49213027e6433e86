using Media.JobApi.Auth;
using Media.JobApi.Errors;
using Media.JobApi.Dashboard;
using Media.JobApi.Http;
using Media.JobApi.Orchestration;
using Media.JobApi.Services;
using Media.JobApi.Store;
using Media.Pipelines;
using Media.Platform.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Media.JobApi.Uploads;

namespace Media.JobApi;

public static class ServiceCollectionExtensions
{
    /// <summary>gRPC services, orchestrator and the SQLite job store. The bus and blob store come from the host.</summary>
    public static IServiceCollection AddMediaJobApi(this IServiceCollection services)
    {
        // Submissions are validated against the patterns; the API itself runs no media tool.
        services.AddPatternParsing();
        services.AddOptions<JobApiOptions>().BindConfiguration(JobApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[Media.Platform.ConfigurationKeys.Store] ?? "sqlite";
            var time = sp.GetRequiredService<TimeProvider>();
            return store.ToLowerInvariant() switch
            {
                "sqlite" => JobDatabase.Sqlite(sp.GetRequiredService<IOptions<JobApiOptions>>().Value.DataDirectory, time),
                "postgres" => JobDatabase.Postgres(sp.GetRequiredService<IOptions<PostgresStoreOptions>>().Value.ConnectionString, time),
                _ => throw new InvalidOperationException($"Media:Store='{store}' is not supported; use sqlite or postgres."),
            };
        });
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Jobs);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Queries);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Uploads);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Documents);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().ApiKeys);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Webhooks);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Publications);
        services.AddSingleton(sp => sp.GetRequiredService<JobDatabase>().Retention);
        services.AddOptions<PostgresStoreOptions>().BindConfiguration(PostgresStoreOptions.Section);
        // The first hosted service of the job API: every sweep and consumer after it finds the tables there.
        services.AddHostedService<JobStoreMigration>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JobEventNotifier>();
        services.AddSingleton<SubmissionValidator>();
        services.AddSingleton(sp => new DirectUploads(
            sp.GetService<IDirectUploadStore>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<IUploadStore>(),
            sp.GetRequiredService<IOptions<JobApiOptions>>().Value,
            sp.GetRequiredService<IOptions<QuotaOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DirectUploads>>()));
        services.AddSingleton<PartialUploads>();
        services.AddHostedService<ExpiredUploadSweeper>();
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Retention.RetentionSweep>();
        services.AddHostedService<Retention.RetentionSweeper>();
        services.AddOptions<Webhooks.WebhookOptions>().BindConfiguration(Webhooks.WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Publishing.PublishRequests>();
        services.AddSingleton<Webhooks.WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Webhooks.WebhookSender>());
        services.AddSingleton<Publishing.Publications>();
        services.AddOptions<Publishing.PublishOptions>().BindConfiguration(Publishing.PublishOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Publishing.PublishScheduler>();
        services.AddMetrics();
        services.AddSingleton<Media.Platform.Telemetry.QueueDepth>();
        services.AddSingleton<Orchestrator>();
        services.AddSingleton<Editing.OutputRevisions>();
        services.AddSingleton<Http.OutputLinks>();
        services.AddSingleton<Farm.WorkerDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<Farm.WorkerDirectory>());
        services.AddHostedService<OrchestratorService>();
        services.AddHostedService(sp => sp.GetRequiredService<Publishing.PublishScheduler>());
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ErrorMappingInterceptor>();
            options.Interceptors.Add<AuthInterceptor>();
            options.MaxReceiveMessageSize = 8 * 1024 * 1024;
        }).AddJsonTranscoding(json =>
        {
            // Error details (field violations, the missing resource, the exceeded quota) written into REST error bodies.
            json.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(
                Google.Rpc.BadRequest.Descriptor, Google.Rpc.ResourceInfo.Descriptor, Google.Rpc.QuotaFailure.Descriptor,
                Google.Rpc.PreconditionFailure.Descriptor, Google.Rpc.ErrorInfo.Descriptor);
            // The proto3 JSON mapping, as /openapi.json and every protobuf JSON library have it: 64-bit integers as strings.
            json.JsonSettings.WriteInt64sAsStrings = true;
        });
        services.AddSingleton<FarmReflectionService>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<JobApiOptions>>((cors, api) =>
            cors.AddDefaultPolicy(policy => policy.WithOrigins(api.Value.CorsOrigins).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin")));
        services.AddGrpcHealthChecks().AddCheck<JobStoreHealthCheck>("job-store", tags: ["ready"]);
        return services;
    }

    /// <summary>gRPC (h2c), gRPC-Web and REST/JSON (HTTP/1.1) on the same services; /openapi.json describes the REST routes.</summary>
    public static IEndpointRouteBuilder MapMediaJobApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<JobsService>().EnableGrpcWeb();
        endpoints.MapGrpcService<UploadsService>().EnableGrpcWeb();
        endpoints.MapGrpcService<PatternsService>().EnableGrpcWeb();
        endpoints.MapGrpcService<EngagementService>().EnableGrpcWeb();
        endpoints.MapGrpcService<AdminService>().EnableGrpcWeb();
        endpoints.MapGrpcService<FarmService>().EnableGrpcWeb();
        endpoints.MapOutputContent();
        endpoints.MapDashboard();
        var openApi = Http.OpenApiDocument.Write();
        endpoints.MapGet("/openapi.json", () => Results.Bytes(openApi, "application/json"));
        endpoints.MapGrpcService<FarmReflectionService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGet("/", () => Results.Text("Media Farm job API. gRPC (h2c) on the gRPC port; REST/JSON (/v1/…, described by /openapi.json), gRPC-Web, /metrics, /healthz and /readyz on the HTTP port. The operator dashboard is at /dashboard/ on the HTTP port. Services: media.v1.Jobs, Uploads, Patterns, Engagement, Admin, Farm; API keys as \"authorization: Bearer <key>\"; reflection and grpc.health.v1 enabled.\n"));
        return endpoints;
    }
}
