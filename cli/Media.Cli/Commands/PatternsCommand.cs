using System.CommandLine;
using Media.Cli.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

internal static class PatternsCommand
{
    public static Command Create()
    {
        var patterns = new Command("patterns", "Edit patterns known to a running farm");

        var server = CommonOptions.Server();
        var list = new Command("list", "List the patterns") { server };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var response = await client.Patterns.ListPatternsAsync(new ListPatternsRequest(), cancellationToken: cancellationToken);
            foreach (var pattern in response.Patterns)
            {
                Console.WriteLine($"{pattern.Name,-24} outputs: {string.Join(", ", pattern.Outputs),-16} {pattern.Description}");
            }

            return ExitCodes.Ok;
        });

        var file = new Argument<FileInfo>("file") { Description = "Pattern document (YAML or JSON)" };
        var validateServer = CommonOptions.Server();
        var validate = new Command("validate", "Check a pattern document; prints every problem with its path") { file, validateServer };
        validate.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"The file '{path.FullName}' does not exist.");
            }

            using var client = new FarmClient(parse.GetValue(validateServer)!);
            var response = await client.Patterns.ValidatePatternAsync(
                new ValidatePatternRequest { Document = await File.ReadAllTextAsync(path.FullName, cancellationToken) },
                cancellationToken: cancellationToken);
            foreach (var violation in response.Violations)
            {
                Console.WriteLine($"{violation.Path}: {violation.Reason}");
            }

            Console.WriteLine(response.Valid ? "valid" : "invalid");
            return response.Valid ? ExitCodes.Ok : ExitCodes.Usage;
        });

        patterns.Subcommands.Add(list);
        patterns.Subcommands.Add(validate);
        return patterns;
    }
}
