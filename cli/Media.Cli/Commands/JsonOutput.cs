using System.CommandLine;
using Google.Protobuf;

namespace Media.Cli.Commands;

/// <summary>
/// --json output: one document on stdout in the proto3 JSON mapping (the REST API's shape); anything meant for
/// people goes to stderr then, so a script can parse stdout whole.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static string Format(IMessage message) => Formatter.Format(message);

    public static Option<bool> Option(string what) =>
        new("--json") { Description = $"Print {what} as JSON (proto3 JSON mapping, the REST API's shape) for scripts" };

    /// <summary>Where lines for people go: stdout normally, stderr when stdout carries JSON.</summary>
    public static TextWriter HumanOut(bool json) => json ? Console.Error : Console.Out;

    /// <summary>The message as JSON when asked for, else what <paramref name="human"/> prints.</summary>
    public static void Write(bool json, IMessage message, Action<TextWriter> human)
    {
        if (json)
        {
            Console.WriteLine(Format(message));
        }
        else
        {
            human(Console.Out);
        }
    }
}
