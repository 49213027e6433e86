using System.CommandLine;
using Grpc.Core;
using Media.Cli.Commands;

var root = new RootCommand("media: the Media Farm command line (embedded farm, job client); benchmarks and evaluations are in media-bench")
{
    ServeCommand.Create(),
    ServeCommand.CreateJobApi(),
    ServeCommand.CreateWorker(),
    ProcessCommand.Create(),
    SubmitCommand.Create(),
    BulkCommand.Create(),
    JobsCommand.Create(),
    PatternsCommand.Create(),
    HooksCommand.Create(),
    KeysCommand.Create(),
    FarmCommand.Create(),
};

try
{
    // Our handlers below give exit codes 2/3 and readable messages instead of a stack trace and 1.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.Usage;
}
catch (InvalidOperationException ex) when (ex.Message.Contains("Media__", StringComparison.Ordinal))
{
    // A configuration that cannot work (e.g. a separate worker on the in-process bus).
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.Usage;
}
catch (Media.Pipelines.Speech.RecognizerUnavailableException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.Usage;
}
catch (RpcException ex)
{
    Console.Error.WriteLine($"error: {RpcErrors.Describe(ex)}");
    return ExitCodes.ServerError;
}
