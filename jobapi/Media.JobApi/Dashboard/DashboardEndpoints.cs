using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Media.JobApi.Dashboard;

/// <summary>
/// The operator dashboard at /dashboard/: three static files compiled into this assembly. The page reads the same
/// REST routes every client uses, with the key the operator types in, so it has no powers of its own.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard/";

    // Only this origin's scripts and styles; previews may come from presigned object-storage URLs on other hosts.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' http: https: data:; media-src 'self' http: https:; connect-src 'self'; " +
        "script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        (Path, "index.html", "text/html; charset=utf-8"),
        (Path + "dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        (Path + "dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var content = Read(resource);
            endpoints.MapGet(route, (HttpContext http) =>
            {
                // Routing matches /dashboard and /dashboard/ alike; the page's relative links need the slash. A relative
                // redirect keeps working behind a proxy that serves the API under a path prefix.
                if (resource == "index.html" && !http.Request.Path.Value!.EndsWith('/'))
                {
                    return Results.Redirect("dashboard/");
                }

                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }

        return endpoints;
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Media.JobApi.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
