using System.Security.Cryptography;
using System.Text;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration;

/// <summary>A canonical hash of what a SubmitJob asks for (map order does not matter).</summary>
public static class RequestHash
{
    /// <param name="sourceIdentity">What the source is (an upload's SHA-256), not how it was named: a client
    /// that re-uploads the same file and retries with the same key must get the same job.</param>
    public static string Compute(SubmitJobRequest request, string sourceIdentity)
    {
        var priority = request.Priority == Priority.Unspecified ? Priority.Normal : request.Priority;
        var text = new StringBuilder()
            .Append("source=").Append(sourceIdentity).Append('\n')
            .Append("pattern_name=").Append(request.PatternName).Append('\n')
            .Append("inline_pattern=").Append(request.InlinePattern).Append('\n')
            .Append("priority=").Append(priority).Append('\n')
            .Append("webhook=").Append(request.WebhookUrl).Append('\n')
            .Append("outputs=").AppendJoin(',', request.Outputs).Append('\n');
        if (request.PublishAt is { } publishAt)
        {
            // Only when given, so hashes of jobs stored before publishing existed stay the same.
            text.Append("publish_at=").Append(publishAt.ToDateTimeOffset().ToUnixTimeMilliseconds()).Append('\n');
            foreach (var destination in request.Destinations)
            {
                text.Append("d:").Append(destination.Platform).Append('=').Append(destination.Account).Append('\n');
            }
        }
        foreach (var (key, value) in request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("p:").Append(key).Append('=').Append(value).Append('\n');
        }

        foreach (var (key, value) in request.Labels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("l:").Append(key).Append('=').Append(value).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
