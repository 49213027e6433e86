using System.Text;
using System.Text.RegularExpressions;

namespace Media.JobApi.Http;

/// <summary>
/// The leading comments of the public protos (services' methods, messages, fields), by full name
/// ("media.v1.Jobs.SubmitJob", "media.v1.Job", "media.v1.Job.state"), read from the .proto files embedded in this
/// assembly. The generated C# descriptors carry no source info, and the comments are the API's reference text, so
/// /openapi.json takes its summaries and descriptions from the same lines a proto reader sees.
/// </summary>
public static partial class ProtoComments
{
    private const string ResourcePrefix = "Media.JobApi.Protos.";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> All = new(Load);

    public static string? For(string fullName) => All.Value.GetValueOrDefault(fullName);

    /// <summary>The first sentence: up to the first ". " or the end, as an operation's one-line summary.</summary>
    public static string Summary(string comment)
    {
        var end = comment.IndexOf(". ", StringComparison.Ordinal);
        var first = end < 0 ? comment : comment[..(end + 1)];
        return first.EndsWith('.') ? first[..^1] : first;
    }

    /// <summary>Reads every "name { … }" scope of one proto file and the run of "//" lines right above each declaration.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string proto)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var package = string.Empty;
        // One entry per open brace: the name of the service, message or enum it opens, or null (rpc bodies, options, oneofs).
        var scopes = new Stack<string?>();
        var comment = new List<string>();
        foreach (var raw in proto.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("//", StringComparison.Ordinal))
            {
                comment.Add(line[2..].Trim());
                continue;
            }

            var code = StringLiteral().Replace(line.Split("//")[0], "\"\"");
            string? declared = null;
            string? opens = null;
            if (Package().Match(code) is { Success: true } p)
            {
                package = p.Groups[1].Value;
            }
            else if (Scope().Match(code) is { Success: true } s)
            {
                opens = s.Groups[2].Value;
                declared = Qualified(package, scopes, opens);
            }
            else if (Rpc().Match(code) is { Success: true } r)
            {
                declared = Qualified(package, scopes, r.Groups[1].Value);
            }
            else if (scopes.Count > 0 && Field().Match(code) is { Success: true } f)
            {
                declared = Qualified(package, scopes, f.Groups[1].Value);
            }

            if (declared is not null && comment.Count > 0)
            {
                found[declared] = string.Join(' ', comment);
            }

            comment.Clear();
            foreach (var c in code)
            {
                if (c == '{')
                {
                    scopes.Push(opens);
                    opens = null;
                }
                else if (c == '}' && scopes.Count > 0)
                {
                    scopes.Pop();
                }
            }
        }

        return found;
    }

    private static string Qualified(string package, Stack<string?> scopes, string name)
    {
        var path = new StringBuilder(package);
        foreach (var scope in scopes.Reverse().OfType<string>())
        {
            path.Append('.').Append(scope);
        }

        return path.Append('.').Append(name).ToString();
    }

    private static Dictionary<string, string> Load()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        var assembly = typeof(ProtoComments).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            foreach (var (key, value) in Parse(reader.ReadToEnd()))
            {
                all[key] = value;
            }
        }

        return all;
    }

    [GeneratedRegex(@"^package\s+([\w.]+)\s*;")]
    private static partial Regex Package();

    [GeneratedRegex(@"^(service|message|enum)\s+(\w+)\s*\{")]
    private static partial Regex Scope();

    [GeneratedRegex(@"^rpc\s+(\w+)\s*\(")]
    private static partial Regex Rpc();

    // "repeated Job jobs = 1;", "map<string, string> labels = 7;", "JOB_STATE_QUEUED = 1;" (enum values too).
    [GeneratedRegex(@"^(?:(?:repeated|optional)\s+)?(?:map\s*<[^>]+>|[\w.]+\s+)?\s*(\w+)\s*=\s*-?\d+")]
    private static partial Regex Field();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
