using Grpc.Core;
using Media.JobApi.Auth;
using Media.JobApi.Errors;
using Media.Protos.V1;

namespace Media.JobApi.Services;

/// <summary>API key management for operators (the admin role is enforced by <see cref="AuthInterceptor"/>).</summary>
public sealed class AdminService(ApiKeyRegistry keys) : Admin.AdminBase
{
    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var admin = request.Role switch
        {
            ApiKeyRole.Unspecified or ApiKeyRole.Tenant => false,
            ApiKeyRole.Admin => true,
            _ => throw new RequestValidationException("role", "must be API_KEY_ROLE_TENANT or API_KEY_ROLE_ADMIN"),
        };
        var (key, token) = await keys.CreateAsync(request.Tenant, request.Label, admin, context.CancellationToken);
        return new CreateApiKeyResponse { Key = key.ToProto(), Secret = token };
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        if (request.Tenant.Length > 0 && !TenantNames.IsValid(request.Tenant))
        {
            throw new RequestValidationException("tenant", $"must be {TenantNames.Rule}");
        }

        var listed = await keys.ListAsync(request.Tenant.Length == 0 ? null : request.Tenant, context.CancellationToken);
        return new ListApiKeysResponse { Keys = { listed.Select(k => k.ToProto()) } };
    }

    public override async Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context) =>
        (await keys.RevokeAsync(request.Id, context.CancellationToken)).ToProto();
}
