using System.CommandLine;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

internal static class PatternsCommand
{
    public static Command Create()
    {
        var patterns = new Command("patterns", "Edit patterns known to a running farm");

        var server = CommonOptions.Server();
        var listJson = JsonOutput.Option("the patterns");
        var list = new Command("list", "List the patterns") { server, listJson };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var response = await client.Patterns.ListPatternsAsync(new ListPatternsRequest(), cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(listJson), response, output =>
            {
                foreach (var pattern in response.Patterns)
                {
                    output.WriteLine($"{pattern.Name,-24} {(pattern.BuiltIn ? "built-in" : "yours   ")} outputs: {string.Join(", ", pattern.Outputs),-16} {pattern.Description}");
                }
            });

            return ExitCodes.Ok;
        });

        var file = new Argument<FileInfo>("file") { Description = "Pattern document (YAML or JSON)" };
        var validateServer = CommonOptions.Server();
        var validateJson = JsonOutput.Option("the verdict and every violation");
        var validate = new Command("validate", "Check a pattern document; prints every problem with its path (exit code 2 when invalid)") { file, validateServer, validateJson };
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
            JsonOutput.Write(parse.GetValue(validateJson), response, output =>
            {
                foreach (var violation in response.Violations)
                {
                    output.WriteLine($"{violation.Path}: {violation.Reason}");
                }

                output.WriteLine(response.Valid ? "valid" : "invalid");
            });
            return response.Valid ? ExitCodes.Ok : ExitCodes.Usage;
        });

        var putFile = new Argument<FileInfo>("file") { Description = "Pattern document (YAML or JSON)" };
        var putServer = CommonOptions.Server();
        var putJson = JsonOutput.Option("the stored pattern");
        var put = new Command("put", "Store (or replace) one of your own patterns; jobs can then name it") { putFile, putServer, putJson };
        put.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(putFile)!;
            if (!path.Exists)
            {
                throw new UsageException($"The file '{path.FullName}' does not exist.");
            }

            using var client = new FarmClient(parse.GetValue(putServer)!);
            var stored = await client.Patterns.PutPatternAsync(new PutPatternRequest { Document = await File.ReadAllTextAsync(path.FullName, cancellationToken) }, cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(putJson), stored, output => output.WriteLine($"stored {stored.Name} (outputs: {string.Join(", ", stored.Outputs)})"));
            return ExitCodes.Ok;
        });

        var name = new Argument<string>("name") { Description = "Pattern name" };
        var deleteServer = CommonOptions.Server();
        var deleteJson = JsonOutput.Option("the response");
        var delete = new Command("delete", "Delete one of your own patterns (queued jobs keep the copy they were submitted with)") { name, deleteServer, deleteJson };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(deleteServer)!);
            var deleted = await client.Patterns.DeletePatternAsync(new DeletePatternRequest { Name = parse.GetValue(name)! }, cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(deleteJson), deleted, output => output.WriteLine($"deleted {parse.GetValue(name)}"));
            return ExitCodes.Ok;
        });

        patterns.Subcommands.Add(list);
        patterns.Subcommands.Add(validate);
        patterns.Subcommands.Add(put);
        patterns.Subcommands.Add(delete);
        return patterns;
    }
}
