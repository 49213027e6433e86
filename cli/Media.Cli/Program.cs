using System.CommandLine;
using Grpc.Core;
using Media.Cli.Bench;
using Media.Cli.Commands;

var root = new RootCommand("media: the Media Farm command line (embedded farm, job client, benchmarks)")
{
    ServeCommand.Create(),
    ProcessCommand.Create(),
    SubmitCommand.Create(),
    JobsCommand.Create(),
    PatternsCommand.Create(),
    BenchCommand.Create(),
    ThumbnailEvalCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync();
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.Usage;
}
catch (RpcException ex)
{
    Console.Error.WriteLine($"error: {RpcErrors.Describe(ex)}");
    return ExitCodes.ServerError;
}
