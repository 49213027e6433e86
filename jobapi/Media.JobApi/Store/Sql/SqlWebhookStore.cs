using System.Data.Common;
using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>Webhook delivery records (name = job id, or "{job}/publish" for the hand-off), with their state in a column.</summary>
public sealed class SqlWebhookStore(SqlDatabase db) : IWebhookStore
{
    public Task PutWebhookDeliveryAsync(StoredDocument delivery, string state, CancellationToken cancellationToken) =>
        db.WriteAsync(
            "INSERT INTO webhook_deliveries (tenant, name, document, updated_at, state) VALUES ($tenant, $name, $doc, $at, $state) ON CONFLICT (tenant, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at, state = excluded.state",
            cancellationToken, ("$tenant", delivery.Tenant), ("$name", delivery.Name), ("$doc", delivery.Document), ("$at", delivery.UpdatedAt.ToUnixTimeMilliseconds()), ("$state", state));

    public async Task<StoredDocument?> GetWebhookDeliveryAsync(string tenant, string name, CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT tenant, name, document, updated_at FROM webhook_deliveries WHERE tenant = $tenant AND name = $name", Rows.Document, cancellationToken,
            ("$tenant", tenant), ("$name", name)) is [var found, ..] ? found : null;

    public async Task<IReadOnlyList<UnsettledWebhook>> ListUnsettledWebhooksAsync(DateTimeOffset finishedAfter, DateTimeOffset quietSince, int limit, CancellationToken cancellationToken)
    {
        const string Unsettled = "(d.name IS NULL OR (d.state = $retrying AND d.updated_at < $quiet))";
        const string Finished = $"""
            SELECT j.id, j.tenant, j.webhook_url, d.document, d.updated_at FROM jobs j
            LEFT JOIN webhook_deliveries d ON d.tenant = j.tenant AND d.name = j.id
            WHERE j.webhook_url <> '' AND j.finished_at >= $after AND j.finished_at < $quiet AND {Unsettled}
            ORDER BY j.finished_at LIMIT $limit
            """;

        // A publication is requested once both its time and its job's end have come, so both before quietSince means its
        // delivery had time to record itself.
        const string Published = $"""
            SELECT j.id, j.tenant, j.webhook_url, d.document, d.updated_at FROM publications p
            JOIN jobs j ON j.id = p.job_id
            LEFT JOIN webhook_deliveries d ON d.tenant = j.tenant AND d.name = j.id || '/publish'
            WHERE p.state = $requested AND p.publish_at < $quiet AND j.webhook_url <> ''
              AND j.finished_at >= $after AND j.finished_at < $quiet AND {Unsettled}
            ORDER BY j.finished_at LIMIT $limit
            """;
        (string Name, object? Value)[] shared =
        [
            ("$after", finishedAfter.ToUnixTimeMilliseconds()), ("$quiet", quietSince.ToUnixTimeMilliseconds()),
            ("$retrying", Webhooks.WebhookDelivery.Retrying), ("$limit", limit),
        ];
        var finished = await db.QueryAsync(Finished, r => Read(r, publication: false), cancellationToken, shared);
        var published = await db.QueryAsync(Published, r => Read(r, publication: true), cancellationToken, [.. shared, ("$requested", (int)PublicationState.Requested)]);
        return [.. finished, .. published];
    }

    public async Task<bool> TryClaimWebhookAsync(UnsettledWebhook webhook, StoredDocument claim, CancellationToken cancellationToken)
    {
        if (webhook.Delivery is null)
        {
            try
            {
                await db.WriteAsync("INSERT INTO webhook_deliveries (tenant, name, document, updated_at, state) VALUES ($tenant, $name, $document, $at, $state)", cancellationToken,
                    ("$tenant", claim.Tenant), ("$name", claim.Name), ("$document", claim.Document), ("$at", claim.UpdatedAt.ToUnixTimeMilliseconds()), ("$state", Webhooks.WebhookDelivery.Retrying));
                return true;
            }
            catch (DbException ex) when (db.IsUniqueViolation(ex))
            {
                return false;
            }
        }

        return await db.WriteAsync("UPDATE webhook_deliveries SET updated_at = $at WHERE tenant = $tenant AND name = $name AND updated_at = $seen", cancellationToken,
            ("$at", claim.UpdatedAt.ToUnixTimeMilliseconds()), ("$tenant", claim.Tenant), ("$name", claim.Name), ("$seen", webhook.Delivery.UpdatedAt.ToUnixTimeMilliseconds())) == 1;
    }

    private static UnsettledWebhook Read(DbDataReader reader, bool publication)
    {
        var (id, tenant) = (reader.GetString(0), reader.GetString(1));
        var name = publication ? id + "/publish" : id;
        var delivery = reader.IsDBNull(3) ? null : new StoredDocument(tenant, name, reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
        return new UnsettledWebhook(id, tenant, reader.GetString(2), delivery, publication);
    }
}
