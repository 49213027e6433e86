using System.Text.RegularExpressions;

namespace Media.JobApi.Store;

/// <summary>
/// What a job's documents name in storage: the uploads ("upload:ID") and other jobs' outputs ("job:ID") in its source,
/// parameters, pattern and templates ("blob:" logos, music, fonts, a source made by an earlier job). Stored, indexed,
/// beside the job when it is created, so retention never deletes what a stored job still needs.
/// </summary>
public static partial class JobReferences
{
    public static IReadOnlySet<string> Of(JobRecord job)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Texts(job))
        {
            foreach (Match match in StoredKey().Matches(text))
            {
                found.Add((match.Groups["kind"].Value == "uploads" ? "upload:" : "job:") + match.Groups["id"].Value);
            }
        }

        // A job's own folder is not a reference to itself.
        found.Remove("job:" + job.Id);
        return found;
    }

    public static string Upload(string uploadId) => "upload:" + uploadId;

    private static IEnumerable<string> Texts(JobRecord job)
    {
        yield return job.SourceKey;
        yield return job.PatternDocument;
        foreach (var value in job.Parameters.Values)
        {
            yield return value;
        }

        foreach (var template in job.Templates.Values)
        {
            yield return template;
        }
    }

    // Keys are "tenants/<tenant>/uploads/<id>/<file>" and "tenants/<tenant>/jobs/<id>/…" (TenantKeys); the id is one segment.
    [GeneratedRegex(@"tenants/[a-z0-9-]+/(?<kind>uploads|jobs)/(?<id>[A-Za-z0-9._-]+)/")]
    private static partial Regex StoredKey();
}
