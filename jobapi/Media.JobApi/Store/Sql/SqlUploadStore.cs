using System.Data.Common;

namespace Media.JobApi.Store.Sql;

/// <summary>Finished uploads, and direct uploads that were created but not yet completed.</summary>
public sealed class SqlUploadStore(SqlDatabase db) : IUploadStore
{
    public const string UploadColumns = "id, tenant, key, file_name, content_type, size_bytes, sha256, created_at";
    private const string PendingColumns = "id, tenant, key, file_name, content_type, size_bytes, sha256, storage_upload_id, created_at, expires_at";

    public Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken) =>
        db.WriteAsync($"INSERT INTO uploads ({UploadColumns}) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $created)", cancellationToken, Parameters(upload));

    public async Task<UploadRecord?> GetUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {UploadColumns} FROM uploads WHERE id = $id AND tenant = $tenant", Upload, cancellationToken, ("$id", uploadId), ("$tenant", tenant))
            is [var found, ..] ? found : null;

    public Task CreatePendingUploadAsync(PendingUploadRecord pending, CancellationToken cancellationToken) =>
        db.WriteAsync(
            $"INSERT INTO pending_uploads ({PendingColumns}) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $storage, $created, $expires)",
            cancellationToken,
            ("$id", pending.Id), ("$tenant", pending.Tenant), ("$key", pending.Key), ("$name", pending.FileName), ("$type", pending.ContentType),
            ("$size", pending.SizeBytes), ("$sha", pending.Sha256), ("$storage", pending.StorageUploadId),
            ("$created", pending.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", pending.ExpiresAt.ToUnixTimeMilliseconds()));

    public async Task<PendingUploadRecord?> GetPendingUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {PendingColumns} FROM pending_uploads WHERE id = $id AND tenant = $tenant", Pending, cancellationToken, ("$id", uploadId), ("$tenant", tenant))
            is [var found, ..] ? found : null;

    public async Task<IReadOnlyList<PendingUploadRecord>> ListExpiredPendingUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync($"SELECT {PendingColumns} FROM pending_uploads WHERE expires_at < $now ORDER BY expires_at LIMIT $limit", Pending, cancellationToken,
            ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public async Task<bool> CompletePendingUploadAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        using (await db.WriteLockAsync(cancellationToken))
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The delete decides which of two concurrent completions registers the upload.
            if (await db.ExecuteAsync(connection, transaction, "DELETE FROM pending_uploads WHERE id = $id", cancellationToken, ("$id", upload.Id)) == 0)
            {
                return false;
            }

            await db.ExecuteAsync(connection, transaction, $"INSERT INTO uploads ({UploadColumns}) VALUES ($id, $tenant, $key, $name, $type, $size, $sha, $created)",
                cancellationToken, Parameters(upload));
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
    }

    public Task DeletePendingUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        db.WriteAsync("DELETE FROM pending_uploads WHERE id = $id", cancellationToken, ("$id", uploadId));

    private static (string Name, object? Value)[] Parameters(UploadRecord upload) =>
    [
        ("$id", upload.Id), ("$tenant", upload.Tenant), ("$key", upload.Key), ("$name", upload.FileName), ("$type", upload.ContentType),
        ("$size", upload.SizeBytes), ("$sha", upload.Sha256), ("$created", upload.CreatedAt.ToUnixTimeMilliseconds()),
    ];

    public static UploadRecord Upload(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)));

    private static PendingUploadRecord Pending(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)));
}
