using Grpc.Core;
using Media.JobApi.Auth;

namespace Media.JobApi.Services;

/// <summary>Whose call this is (set by <see cref="AuthInterceptor"/>). Every store lookup is scoped by it.</summary>
public static class CallerTenant
{
    public static string Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Caller.UserStateKey, out var caller) && caller is Caller known
            ? known.Tenant
            : throw new InvalidOperationException($"{context.Method} ran without the authentication interceptor.");
}
