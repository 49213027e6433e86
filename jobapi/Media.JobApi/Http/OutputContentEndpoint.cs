using Media.JobApi.Store;
using Media.Platform.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Media.JobApi.Http;

/// <summary>
/// GET /v1/jobs/{job_id}/outputs/{name}/content?tenant=…&amp;expires=…&amp;token=…: one output's bytes for a link from
/// Jobs.GetOutputLink, with byte ranges (video players seek with them) and the output's SHA-256 as its ETag.
/// </summary>
public static class OutputContentEndpoint
{
    public const string Route = "/v1/jobs/{jobId}/outputs/{name}/content";

    public static IEndpointConventionBuilder MapOutputContent(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Route, ServeAsync);

    private static async Task<IResult> ServeAsync(
        HttpContext http,
        string jobId,
        string name,
        string? tenant,
        long? expires,
        string? token,
        OutputLinks links,
        IJobStore store,
        IBlobStore blobs)
    {
        var cancellationToken = http.RequestAborted;
        if (links.Check(tenant, jobId, name, expires, token) is { } refused)
        {
            return Results.Problem(refused, statusCode: StatusCodes.Status403Forbidden, title: "Output link refused");
        }

        var job = await store.GetJobAsync(jobId, cancellationToken);
        var output = job is not null && job.Tenant == tenant
            ? (await store.GetOutputsAsync(jobId, cancellationToken)).FirstOrDefault(o => o.Name == name)
            : null;
        if (output is null)
        {
            return Results.Problem($"job {jobId} has no output {name}", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        Stream content;
        try
        {
            content = await blobs.OpenReadAsync(output.Key, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return Results.Problem($"the object of output {name} is gone from storage", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "private, max-age=300";
        headers.XContentTypeOptions = "nosniff";
        // Outputs are media and documents, never pages: if one were opened as a page it could run nothing.
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var etag = output.Sha256.Length > 0 ? new EntityTagHeaderValue($"\"{output.Sha256}\"") : null;
        var contentType = output.ContentType.Length > 0 ? output.ContentType : "application/octet-stream";
        return Results.Stream(content, contentType, enableRangeProcessing: content.CanSeek, entityTag: etag);
    }
}
