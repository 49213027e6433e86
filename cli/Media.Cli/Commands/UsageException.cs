namespace Media.Cli.Commands;

/// <summary>The command line or its inputs are wrong; exit code 2 with the message.</summary>
internal sealed class UsageException(string message) : Exception(message);
