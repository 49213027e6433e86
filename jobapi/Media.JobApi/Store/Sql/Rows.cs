using System.Data.Common;
using System.Text.Json;
using Google.Protobuf;
using Media.Protos.V1;

namespace Media.JobApi.Store.Sql;

/// <summary>How the job and stage rows map to records: the column lists and their readers, in one place for every store.</summary>
internal static class Rows
{
    public const string JobColumns = "id, tenant, idempotency_key, request_hash, pattern_name, pattern_document, source_key, parameters, labels, outputs_wanted, priority, webhook_url, state, progress, created_at, updated_at, finished_at, source_info, error, last_sequence, templates, version, held, findings";

    public const string StageColumns = "id, job_id, kind, state, output_name, depends_on, attempt, failures, progress, worker_id, lease_expires_at, started_at, finished_at, error, pool, pattern_output, clip, revision, plan_key, range_start, range_end, variants, rendered_by";

    public const string PublicationColumns = "job_id, tenant, document";

    private static readonly JsonFormatter PublicationFormatter = new(JsonFormatter.Settings.Default);

    public static string Prefixed(string prefix, string columns) =>
        string.Join(", ", columns.Split(',', StringSplitOptions.TrimEntries).Select(c => prefix + c));

    public static JobRecord Job(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Tenant = reader.GetString(1),
        IdempotencyKey = reader.GetString(2),
        RequestHash = reader.GetString(3),
        PatternName = reader.GetString(4),
        PatternDocument = reader.GetString(5),
        SourceKey = reader.GetString(6),
        Parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [],
        Labels = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8)) ?? [],
        OutputsWanted = JsonSerializer.Deserialize<List<string>>(reader.GetString(9)) ?? [],
        Priority = (Priority)reader.GetInt32(10),
        WebhookUrl = reader.GetString(11),
        State = (JobState)reader.GetInt32(12),
        Progress = reader.GetDouble(13),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
        FinishedAt = SqlDatabase.Time(reader, 16),
        SourceInfo = reader.IsDBNull(17) ? null : MediaInfo.Parser.ParseFrom((byte[])reader[17]),
        Error = reader.IsDBNull(18) ? null : JobError.Parser.ParseFrom((byte[])reader[18]),
        LastSequence = reader.GetInt64(19),
        Templates = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(20)) ?? [],
        Version = reader.GetInt64(21),
        Held = reader.GetInt32(22) != 0,
        Findings = reader.IsDBNull(23) ? null : JobFindings.Parser.ParseFrom((byte[])reader[23]),
    };

    public static (string Name, object? Value)[] JobParameters(JobRecord job) =>
    [
        ("$id", job.Id), ("$tenant", job.Tenant), ("$ikey", job.IdempotencyKey), ("$hash", job.RequestHash), ("$pattern", job.PatternName),
        ("$doc", job.PatternDocument), ("$source", job.SourceKey), ("$params", JsonSerializer.Serialize(job.Parameters)),
        ("$labels", JsonSerializer.Serialize(job.Labels)), ("$outputs", JsonSerializer.Serialize(job.OutputsWanted)), ("$priority", (int)job.Priority),
        ("$webhook", job.WebhookUrl), ("$state", (int)job.State), ("$progress", job.Progress), ("$created", job.CreatedAt.ToUnixTimeMilliseconds()),
        ("$updated", job.UpdatedAt.ToUnixTimeMilliseconds()), ("$finished", job.FinishedAt?.ToUnixTimeMilliseconds()),
        ("$info", job.SourceInfo?.ToByteArray()), ("$error", job.Error?.ToByteArray()), ("$seq", job.LastSequence),
        ("$templates", JsonSerializer.Serialize(job.Templates)), ("$version", job.Version), ("$held", job.Held ? 1 : 0),
        ("$findings", job.Findings?.ToByteArray()),
    ];

    public static StageRecord Stage(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        JobId = reader.GetString(1),
        Kind = (StageKind)reader.GetInt32(2),
        State = (StageState)reader.GetInt32(3),
        OutputName = reader.GetString(4),
        DependsOn = JsonSerializer.Deserialize<List<string>>(reader.GetString(5)) ?? [],
        Attempt = reader.GetInt32(6),
        Failures = reader.GetInt32(7),
        Progress = reader.GetDouble(8),
        WorkerId = reader.GetString(9),
        LeaseExpiresAt = SqlDatabase.Time(reader, 10),
        StartedAt = SqlDatabase.Time(reader, 11),
        FinishedAt = SqlDatabase.Time(reader, 12),
        Error = reader.IsDBNull(13) ? null : JobError.Parser.ParseFrom((byte[])reader[13]),
        Pool = reader.GetString(14),
        PatternOutput = reader.GetString(15),
        Clip = reader.GetInt32(16),
        Revision = reader.GetInt32(17),
        PlanKey = reader.GetString(18),
        RangeStart = reader.IsDBNull(19) ? null : reader.GetDouble(19),
        RangeEnd = reader.IsDBNull(20) ? null : reader.GetDouble(20),
        Variants = JsonSerializer.Deserialize<List<string>>(reader.GetString(21)) ?? [],
        RenderedBy = reader.GetString(22),
    };

    public static (string Name, object? Value)[] StageParameters(StageRecord stage) =>
    [
        ("$id", stage.Id), ("$job", stage.JobId), ("$kind", (int)stage.Kind), ("$state", (int)stage.State), ("$output", stage.OutputName),
        ("$deps", JsonSerializer.Serialize(stage.DependsOn)), ("$attempt", stage.Attempt), ("$failures", stage.Failures), ("$progress", stage.Progress),
        ("$worker", stage.WorkerId), ("$lease", stage.LeaseExpiresAt?.ToUnixTimeMilliseconds()), ("$started", stage.StartedAt?.ToUnixTimeMilliseconds()),
        ("$finished", stage.FinishedAt?.ToUnixTimeMilliseconds()), ("$error", stage.Error?.ToByteArray()), ("$pool", stage.Pool),
        ("$patternOutput", stage.PatternOutput), ("$clip", stage.Clip), ("$revision", stage.Revision), ("$planKey", stage.PlanKey),
        ("$rangeStart", stage.RangeStart), ("$rangeEnd", stage.RangeEnd), ("$variants", JsonSerializer.Serialize(stage.Variants)), ("$renderedBy", stage.RenderedBy),
    ];

    public static PublicationRecord Publication(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), Protos.V1.Publication.Parser.ParseJson(reader.GetString(2)));

    public static (string Name, object? Value)[] PublicationParameters(PublicationRecord publication) =>
    [
        ("$id", publication.JobId), ("$tenant", publication.Tenant), ("$at", publication.PublishAt.ToUnixTimeMilliseconds()),
        ("$state", (int)publication.State), ("$doc", PublicationFormatter.Format(publication.Publication)),
    ];

    public static StoredDocument Document(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
}
