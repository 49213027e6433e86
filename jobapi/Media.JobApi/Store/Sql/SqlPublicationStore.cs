using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>Jobs' scheduled hand-offs to publishers, claimed by a conditional replace so one replica emits each.</summary>
public sealed class SqlPublicationStore(SqlDatabase db) : IPublicationStore
{
    public Task PutPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken) =>
        db.WriteAsync(
            "INSERT INTO publications (job_id, tenant, publish_at, state, document) VALUES ($id, $tenant, $at, $state, $doc) ON CONFLICT (job_id) DO UPDATE SET publish_at = excluded.publish_at, state = excluded.state, document = excluded.document",
            cancellationToken, Rows.PublicationParameters(publication));

    public async Task<PublicationRecord?> GetPublicationAsync(string jobId, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {Rows.PublicationColumns} FROM publications WHERE job_id = $id", Rows.Publication, cancellationToken, ("$id", jobId)) is [var found, ..] ? found : null;

    public async Task<IReadOnlyList<PublicationRecord>> GetDuePublicationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync(
            $"SELECT {Rows.PublicationColumns} FROM publications WHERE state = $scheduled AND publish_at <= $now ORDER BY publish_at LIMIT $limit",
            Rows.Publication, cancellationToken, ("$scheduled", (int)PublicationState.Scheduled), ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public async Task<bool> ReplacePublicationAsync(PublicationRecord expected, PublicationRecord replacement, CancellationToken cancellationToken) =>
        await db.WriteAsync(
            "UPDATE publications SET publish_at = $at, state = $state, document = $doc WHERE job_id = $id AND state = $expectedState AND publish_at = $expectedAt",
            cancellationToken,
            [.. Rows.PublicationParameters(replacement), ("$expectedState", (int)expected.State), ("$expectedAt", expected.PublishAt.ToUnixTimeMilliseconds())]) == 1;
}
