using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Platform.Storage;

namespace Media.Workers.Handlers;

/// <summary>Files a pattern names from storage (logo, music, intro, outro), checked and fetched for the stages that use them.</summary>
internal static class StoredMedia
{
    public const long MaxLogoBytes = 10L * 1024 * 1024;
    public const long MaxMusicBytes = 200L * 1024 * 1024;
    public const long MaxBookendBytes = 500L * 1024 * 1024;

    /// <summary>The pattern's intro and outro clips as local files with their probes (an empty list when it has none).</summary>
    public static async Task<IReadOnlyList<(string Key, string Path, MediaProbe Probe)>> ProbeBookendsAsync(StageContext context, MediaProber prober, Pattern pattern, CancellationToken cancellationToken)
    {
        var (intro, outro) = RenderPlanner.BookendKeys(pattern, context.Dispatch.Parameters);
        var result = new List<(string, string, MediaProbe)>();
        foreach (var (key, what) in new[] { (intro, "intro"), (outro, "outro") })
        {
            if (key is not null && result.All(r => r.Item1 != key))
            {
                var path = await LocalPathAsync(context, key, what, MaxBookendBytes, cancellationToken);
                result.Add((key, path, await prober.ProbeAsync(path, cancellationToken)));
            }
        }

        return result;
    }

    /// <summary>
    /// A job reads only its own tenant's objects; the API checks this at submission, and the worker again, because
    /// merge fields and templates reach it as text. Reads like a missing object: no existence leak.
    /// </summary>
    public static void CheckOwned(StageContext context, string key, string what)
    {
        if (!TenantKeys.Owns(context.Dispatch.Tenant, key))
        {
            throw new InvalidDataException($"The {what} 'blob:{key}' does not exist.");
        }
    }

    /// <summary>A logo or music file from storage as a local path, after checking it exists and is not oversized.</summary>
    public static async Task<string> LocalPathAsync(StageContext context, string key, string what, long maxBytes, CancellationToken cancellationToken)
    {
        CheckOwned(context, key, what);
        BlobInfo? info;
        try
        {
            info = await context.Blobs.GetInfoAsync(key, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"The {what} key is not valid: {ex.Message}", ex);
        }

        if (info is null)
        {
            throw new InvalidDataException($"The {what} 'blob:{key}' does not exist.");
        }

        return info.SizeBytes > maxBytes
            ? throw new InvalidDataException($"The {what} 'blob:{key}' is {info.SizeBytes} bytes; the limit is {maxBytes}.")
            : await context.GetLocalPathAsync(key, cancellationToken);
    }
}
