using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Media.JobApi.Auth;

/// <summary>
/// Resolves the caller of every gRPC call before its handler runs: the key from "authorization: Bearer …" or
/// "x-api-key", checked by <see cref="ApiKeyRegistry"/>. Health and reflection stay open (probes, tooling).
/// Missing or bad keys give Unauthenticated; the Admin service needs the admin role (PermissionDenied).
/// </summary>
public sealed class AuthInterceptor(ApiKeyRegistry keys) : Interceptor
{
    public const string TenantHeader = "media-tenant";
    private const string AdminServicePrefix = "/media.v1.Admin/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private static bool IsOpen(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);

    private static string? PresentedKey(Metadata headers)
    {
        if (headers.GetValue("authorization") is { } authorization)
        {
            const string Bearer = "Bearer ";
            return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? authorization[Bearer.Length..].Trim() : string.Empty;
        }

        return headers.GetValue("x-api-key")?.Trim();
    }

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        if (IsOpen(context.Method))
        {
            return;
        }

        var presented = PresentedKey(context.RequestHeaders);
        Caller caller;
        if (presented is null)
        {
            if (keys.RequireApiKeys || context.Method.StartsWith(AdminServicePrefix, StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "An API key is required: send \"authorization: Bearer <key>\" (or \"x-api-key\")."));
            }

            caller = new Caller(Store.TenantIds.Default, null, IsAdmin: false);
        }
        else
        {
            caller = await keys.AuthenticateAsync(presented, context.CancellationToken)
                ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "The API key is not valid (unknown, malformed or revoked)."));
        }

        if (context.RequestHeaders.GetValue(TenantHeader) is { Length: > 0 } actingFor && actingFor != caller.Tenant)
        {
            if (!caller.IsAdmin)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, $"Only admin keys may act for another tenant ({TenantHeader})."));
            }

            if (!TenantNames.IsValid(actingFor))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"{TenantHeader}: must be {TenantNames.Rule}."));
            }

            caller = caller with { Tenant = actingFor };
        }

        if (context.Method.StartsWith(AdminServicePrefix, StringComparison.Ordinal) && !caller.IsAdmin)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "This call needs an API key with the admin role."));
        }

        context.UserState[Caller.UserStateKey] = caller;
    }
}
