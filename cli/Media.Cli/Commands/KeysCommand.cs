using System.CommandLine;
using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.Cli.Commands;

/// <summary>API keys through the Admin service; the caller's own key ($MEDIA_API_KEY) must have the admin role.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create, list and revoke tenant API keys (needs an admin key in $MEDIA_API_KEY)");

        var server = CommonOptions.Server();
        var tenant = new Option<string>("--tenant") { Description = "Tenant name (a-z, 0-9, '-')", Required = true };
        var label = new Option<string>("--label") { Description = "What the key is for", DefaultValueFactory = _ => string.Empty };
        var admin = new Option<bool>("--admin") { Description = "Give the key the admin role" };
        var createJson = JsonOutput.Option("the key and its secret");
        var create = new Command("create", "Create a key; its secret is printed once") { server, tenant, label, admin, createJson };
        create.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var request = new CreateApiKeyRequest { Tenant = parse.GetValue(tenant)!, Label = parse.GetValue(label)!, Role = parse.GetValue(admin) ? ApiKeyRole.Admin : ApiKeyRole.Tenant };
            var created = await client.Admin.CreateApiKeyAsync(request, cancellationToken: cancellationToken);
            Console.Error.WriteLine($"key {created.Key.Id} for tenant {created.Key.Tenant} ({Role(created.Key)}); the secret is not shown again");
            JsonOutput.Write(parse.GetValue(createJson), created, output => output.WriteLine(created.Secret));
            return ExitCodes.Ok;
        });

        var listTenant = new Option<string>("--tenant") { Description = "Only this tenant's keys", DefaultValueFactory = _ => string.Empty };
        var listJson = JsonOutput.Option("the keys");
        var list = new Command("list", "List keys (never their secrets)") { server, listTenant, listJson };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var response = await client.Admin.ListApiKeysAsync(new ListApiKeysRequest { Tenant = parse.GetValue(listTenant)! }, cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(listJson), response, output =>
            {
                foreach (var key in response.Keys)
                {
                    var state = key.RevokedAt is null ? "active" : $"revoked {key.RevokedAt.ToDateTimeOffset():u}";
                    output.WriteLine($"{key.Id}  {key.Tenant,-20}  {Role(key),-6}  {state,-28}  {key.Label}");
                }
            });

            return ExitCodes.Ok;
        });

        var id = new Argument<string>("key-id") { Description = "Key id (k_…)" };
        var revokeJson = JsonOutput.Option("the revoked key");
        var revoke = new Command("revoke", "Revoke a key") { id, server, revokeJson };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new FarmClient(parse.GetValue(server)!);
            var key = await client.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            JsonOutput.Write(parse.GetValue(revokeJson), key, output => output.WriteLine($"{key.Id} revoked at {key.RevokedAt.ToDateTimeOffset():u}"));
            return ExitCodes.Ok;
        });

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static string Role(ApiKey key) => key.Role == ApiKeyRole.Admin ? "admin" : "tenant";
}
