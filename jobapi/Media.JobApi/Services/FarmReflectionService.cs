using Google.Protobuf.Reflection;
using Grpc.Reflection;

namespace Media.JobApi.Services;

/// <summary>
/// gRPC server reflection for generic tools (`buf curl`, grpcurl, Postman): the farm's services, and also the
/// google.rpc error detail types (BadRequest, ErrorInfo, ResourceInfo, PreconditionFailure, QuotaFailure) that no
/// service method names, so that such tools decode an error's details instead of printing base64.
/// </summary>
public sealed class FarmReflectionService() : ReflectionServiceImpl(Services.Select(s => s.FullName), SymbolRegistry.FromFiles(Files()))
{
    public static readonly IReadOnlyList<ServiceDescriptor> Services =
    [
        Media.Protos.V1.Jobs.Descriptor,
        Media.Protos.V1.Uploads.Descriptor,
        Media.Protos.V1.Patterns.Descriptor,
        Media.Protos.V1.Engagement.Descriptor,
        Media.Protos.V1.Admin.Descriptor,
        Media.Protos.V1.Farm.Descriptor,
        Grpc.Health.V1.Health.Descriptor,
        Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
    ];

    private static IEnumerable<FileDescriptor> Files() => [.. Services.Select(s => s.File).Distinct(), Google.Rpc.ErrorDetailsReflection.Descriptor];
}
