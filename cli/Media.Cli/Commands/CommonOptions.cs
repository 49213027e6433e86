using System.CommandLine;
using Media.Protos.V1;

namespace Media.Cli.Commands;

internal static class CommonOptions
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public static Option<string> Server() => new("--server", "-s")
    {
        Description = "Job API address (h2c). Default: $MEDIA_SERVER or " + DefaultServer,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MEDIA_SERVER") is { Length: > 0 } fromEnv ? fromEnv : DefaultServer,
    };

    public static Option<string[]> KeyValues(string name, string description) => new(name)
    {
        Description = description + " (key=value, repeatable)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Dictionary<string, string> ParseKeyValues(string[]? pairs, string optionName)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"{optionName} expects key=value, got '{pair}'.");
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return result;
    }

    public static Priority ParsePriority(string? text) =>
        Priorities.TryParse(text?.ToLowerInvariant(), out var priority) ? priority : throw new UsageException($"--priority must be high, normal or bulk, not '{text}'.");
}
