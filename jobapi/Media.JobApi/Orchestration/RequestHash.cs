using System.Security.Cryptography;
using System.Text;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration;

/// <summary>A canonical hash of what a SubmitJob asks for (map order does not matter).</summary>
public static class RequestHash
{
    public static string Compute(SubmitJobRequest request)
    {
        var text = new StringBuilder()
            .Append("source=").Append(request.Source?.ToString()).Append('\n')
            .Append("pattern_name=").Append(request.PatternName).Append('\n')
            .Append("inline_pattern=").Append(request.InlinePattern).Append('\n')
            .Append("priority=").Append(request.Priority).Append('\n')
            .Append("webhook=").Append(request.WebhookUrl).Append('\n')
            .Append("outputs=").AppendJoin(',', request.Outputs).Append('\n');
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
