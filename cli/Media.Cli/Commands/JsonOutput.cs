using Google.Protobuf;

namespace Media.Cli.Commands;

/// <summary>--json output: the proto3 JSON mapping, the same shape as the REST API's responses.</summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static string Format(IMessage message) => Formatter.Format(message);
}
