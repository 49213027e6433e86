using System.CommandLine;
using Grpc.Core;
using Media.Bench;
using Media.Cli.Commands;

// The bench verbs keep the names they have under ./media, which hands them to this program.
var hooks = new Command("hooks", "The hook scorer") { HooksEvalCommand.Create() };
var root = new RootCommand("media-bench: benchmarks, soaks and evaluations of the Media Farm (run as ./media bench…, ./media …-eval)")
{
    BenchCommand.Create(),
    PatternBenchCommand.Create(),
    PatternEvalCommand.Create(),
    CaptionsEvalCommand.Create(),
    ThumbnailEvalCommand.Create(),
    TransportBenchCommand.Create(),
    LoadBenchCommand.Create(),
    ReviseBenchCommand.Create(),
    ScaleBenchCommand.Create(),
    SpeakersEvalCommand.Create(),
    VariantBenchCommand.Create(),
    LateClipBenchCommand.Create(),
    Media.Bench.Chaos.ChaosBenchCommand.Create(),
    hooks,
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
